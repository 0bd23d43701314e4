/**
 * Broker URLs: the MQTT client accepts many schemes and guesses at bare `host:port`, so a typo
 * there surfaces much later as a connection that never happens. Checked at the flag instead,
 * with the spelling the user most likely meant.
 */
export const BROKER_SCHEMES = ['mqtt:', 'mqtts:', 'ws:', 'wss:'] as const;

export const BROKER_URL_FORM = 'mqtt://HOST:PORT, mqtts://, ws:// or wss://';

/** `text` if it is a broker URL with a host; otherwise an error naming `flag`, the right form, and a guess. */
export function checkBrokerUrl(flag: string, text: string): string {
  const refuse = (guess?: string) => new Error(`--${flag}: expected ${BROKER_URL_FORM}; got ${text}${guess ? ` — did you mean ${guess}?` : ''}`);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw refuse(text.length > 0 ? `mqtt://${text}` : undefined);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse();
  }
  if (!(BROKER_SCHEMES as readonly string[]).includes(url.protocol)) {
    const secure = url.protocol === 'https:';
    throw refuse(url.protocol === 'http:' || secure ? `${secure ? 'wss' : 'ws'}://${url.host}${url.pathname === '/' ? '/mqtt' : url.pathname}` : `mqtt://${url.host}`);
  }
  if (url.hostname === '') throw refuse();
  return text;
}
