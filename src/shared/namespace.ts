/**
 * Which namespace an app's data lives in, before any backend encodes it. Every service that reads
 * or writes data derived from ADK sessions goes through here, so sessions and the memories made
 * from them are found under the same namespace.
 */

/** Where an app's data lives. */
export interface AppScope {
  /** The namespace: `defaultNamespace` when set, else the app name (not yet encoded). */
  namespace: string;
  /**
   * The app, when the namespace is shared with other apps (a `defaultNamespace` other than the app
   * name) and ids must name it to stay apart; else undefined.
   */
  appQualifier: string | undefined;
}

/** The namespace and app qualifier of `appName` under an optional shared `defaultNamespace`. */
export function scopeOf(appName: string, defaultNamespace: string | undefined): AppScope {
  return {
    namespace: defaultNamespace ?? appName,
    appQualifier:
      defaultNamespace !== undefined && defaultNamespace !== appName ? appName : undefined,
  };
}
