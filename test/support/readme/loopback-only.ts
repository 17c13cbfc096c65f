/**
 * Preload (`--import`) for programs under test: every connection that does not go to loopback
 * fails at once, so a README snippet or an example can never reach the internet from CI.
 */
import nock from 'nock';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
