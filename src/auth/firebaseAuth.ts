import { allowedPriorities } from '@fq/worker/schema';
import { FirebaseError } from 'firebase/app';
import {
  createUserWithEmailAndPassword,
  onIdTokenChanged,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
  type User,
} from 'firebase/auth';
import { AuthFailure, type AuthPort, type SessionUser } from './port';

const MESSAGES: Record<string, [AuthFailure['code'], string]> = {
  'auth/invalid-credential': ['invalid-credentials', 'Wrong email or password.'],
  'auth/invalid-login-credentials': ['invalid-credentials', 'Wrong email or password.'],
  'auth/wrong-password': ['invalid-credentials', 'Wrong email or password.'],
  'auth/user-not-found': ['invalid-credentials', 'Wrong email or password.'],
  'auth/user-disabled': ['invalid-credentials', 'This account is disabled.'],
  'auth/invalid-email': ['invalid-email', 'That is not a valid email address.'],
  'auth/missing-password': ['invalid-credentials', 'Enter your password.'],
  'auth/weak-password': ['weak-password', 'Choose a password of at least 6 characters.'],
  'auth/email-already-in-use': ['email-in-use', 'An account with this email already exists; sign in instead.'],
  'auth/too-many-requests': ['too-many-requests', 'Too many attempts. Wait a moment and try again.'],
  'auth/network-request-failed': ['network', 'Cannot reach the sign-in service. Check your connection.'],
};

export function toAuthFailure(error: unknown): AuthFailure {
  if (error instanceof FirebaseError) {
    const known = MESSAGES[error.code];
    if (known) return new AuthFailure(known[0], known[1]);
    return new AuthFailure('unknown', `Sign-in failed (${error.code}).`);
  }
  return new AuthFailure('unknown', error instanceof Error ? error.message : String(error));
}

async function toSessionUser(user: User): Promise<SessionUser> {
  const token = await user.getIdTokenResult();
  return {
    uid: user.uid,
    email: user.email,
    displayName: user.displayName,
    isAdmin: token.claims.admin === true,
    isViewer: token.claims.viewer === true,
    priorities: allowedPriorities(token.claims),
  };
}

export function createFirebaseAuthPort(auth: Auth): AuthPort {
  return {
    onChange(listener) {
      let seq = 0;
      // onIdTokenChanged (not onAuthStateChanged) so a refreshed token with a new admin
      // claim updates the session without signing out.
      return onIdTokenChanged(auth, (user) => {
        const mine = ++seq;
        if (!user) {
          listener(null);
          return;
        }
        toSessionUser(user).then(
          (session) => {
            if (mine === seq) listener(session);
          },
          () => {
            // A token we cannot read is as good as signed out; the sign-in page says so.
            if (mine === seq) listener(null);
          },
        );
      });
    },
    async signIn(email, password) {
      try {
        await signInWithEmailAndPassword(auth, email.trim(), password);
      } catch (error) {
        throw toAuthFailure(error);
      }
    },
    async signUp(email, password) {
      try {
        await createUserWithEmailAndPassword(auth, email.trim(), password);
      } catch (error) {
        throw toAuthFailure(error);
      }
    },
    async signOut() {
      await signOut(auth);
    },
    async refreshClaims() {
      await auth.currentUser?.getIdToken(true);
    },
  };
}
