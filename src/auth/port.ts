import type { Priority } from '@fq/worker/schema';

/**
 * The signed-in identity as the app sees it; `isAdmin` comes from the `admin` custom claim,
 * `isViewer` from the `viewer` claim (a read-only operator; see `auth/roles`).
 */
export interface SessionUser {
  uid: string;
  email: string | null;
  displayName: string | null;
  isAdmin: boolean;
  /** Sees every console page and no control (absent: false). An `admin` claim wins over it. */
  isViewer?: boolean;
  /**
   * The priorities this account may submit (its `tier` claim, see `allowedPriorities`); the
   * rules refuse the others. Absent: unknown, offer all and let the rules decide.
   */
  priorities?: readonly Priority[];
}

export type AuthFailureCode =
  | 'invalid-credentials'
  | 'invalid-email'
  | 'weak-password'
  | 'email-in-use'
  | 'too-many-requests'
  | 'network'
  | 'unknown';

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly code: AuthFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** The auth seam: Firebase Auth in the app, a fake in tests. */
export interface AuthPort {
  /** Called with the current user (claims resolved) now-ish and on every change. */
  onChange(listener: (user: SessionUser | null) => void): () => void;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Re-reads custom claims (after an admin grant) by forcing a token refresh. */
  refreshClaims(): Promise<void>;
}
