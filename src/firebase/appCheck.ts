import type { FirebaseApp } from 'firebase/app';
import type { FirequeueConfig } from './config';

export type AppCheckMode = 'off' | 'recaptcha-enterprise' | 'debug';

/** Which App Check the configuration asks for (a debug token wins: it is for development). */
export function appCheckMode(config: Pick<FirequeueConfig, 'appCheckSiteKey' | 'appCheckDebugToken'>): AppCheckMode {
  if (config.appCheckDebugToken) return 'debug';
  return config.appCheckSiteKey ? 'recaptcha-enterprise' : 'off';
}

declare global {
  // The App Check SDK reads this global before it initialises (documented debug-provider switch).
  var FIREBASE_APPCHECK_DEBUG_TOKEN: boolean | string | undefined;
}

/**
 * Starts App Check before Auth and Firestore are used, so their requests carry App Check
 * tokens: reCAPTCHA Enterprise in production, the debug provider with a registered debug
 * token in development (the emulators accept requests without tokens, so this only matters
 * against a real project). The SDK is loaded only when configured: the sign-in screen does
 * not pay for it otherwise. Enforcement is switched on per service in the Firebase console
 * (README, "Going to production").
 */
export async function startAppCheck(app: FirebaseApp, config: FirequeueConfig): Promise<AppCheckMode> {
  const mode = appCheckMode(config);
  if (mode === 'off') return mode;
  if (mode === 'debug') globalThis.FIREBASE_APPCHECK_DEBUG_TOKEN = config.appCheckDebugToken === 'true' ? true : (config.appCheckDebugToken ?? undefined);
  const { initializeAppCheck, ReCaptchaEnterpriseProvider } = await import('firebase/app-check');
  // With a debug token the provider is never asked; it still needs a key to be constructed.
  initializeAppCheck(app, { provider: new ReCaptchaEnterpriseProvider(config.appCheckSiteKey ?? 'debug-token-only'), isTokenAutoRefreshEnabled: true });
  return mode;
}
