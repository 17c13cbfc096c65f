/**
 * Unit tests give the same result whatever the shell exports: the documented variables that fill
 * config (AMS_BASE_URL after `npm run ams -- start`, the managed credentials, the backend) are
 * removed before each file runs. A test that needs one sets it with `vi.stubEnv`.
 */
import { DOCUMENTED_ENVIRONMENT } from '../../src/shared/config.js';

for (const name of DOCUMENTED_ENVIRONMENT) delete process.env[name];
