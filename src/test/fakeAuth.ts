import { AuthFailure, type AuthPort, type SessionUser } from '../auth/port';

/** Auth fake: accounts in memory, sign-in checks the password, claims set per account. */
export class FakeAuth implements AuthPort {
  current: SessionUser | null = null;
  private listeners = new Set<(u: SessionUser | null) => void>();
  readonly accounts = new Map<string, { password: string; user: SessionUser }>();
  signInCalls = 0;

  addAccount(email: string, password: string, isAdmin: boolean, uid = `uid-${email.split('@')[0]}`): void {
    this.accounts.set(email, { password, user: { uid, email, displayName: null, isAdmin } });
  }

  /** Starts signed in (tests of pages behind the gate). */
  as(user: Partial<SessionUser> & { isAdmin: boolean }): this {
    this.current = { uid: 'admin-1', email: 'admin@example.com', displayName: null, ...user };
    return this;
  }

  onChange(listener: (u: SessionUser | null) => void): () => void {
    this.listeners.add(listener);
    queueMicrotask(() => listener(this.current));
    return () => this.listeners.delete(listener);
  }

  async signIn(email: string, password: string): Promise<void> {
    this.signInCalls += 1;
    await Promise.resolve();
    const account = this.accounts.get(email);
    if (!account || account.password !== password) throw new AuthFailure('invalid-credentials', 'Wrong email or password.');
    this.set(account.user);
  }

  async signUp(email: string, password: string): Promise<void> {
    await Promise.resolve();
    if (this.accounts.has(email)) throw new AuthFailure('email-in-use', 'An account with this email already exists.');
    this.addAccount(email, password, false);
    this.set(this.accounts.get(email)!.user);
  }

  async signOut(): Promise<void> {
    await Promise.resolve();
    this.set(null);
  }

  async refreshClaims(): Promise<void> {
    await Promise.resolve();
    this.set(this.current);
  }

  set(user: SessionUser | null): void {
    this.current = user;
    for (const l of this.listeners) l(user);
  }
}
