import { readDetectConfig } from '../../../src/handlers/detect-mitigation/config';
import { isPermanent } from '../../../src/handlers/shared/errors';

describe('readDetectConfig', () => {
  test('a configuration that cannot be read is a ConfigError, which is permanent', () => {
    let error: unknown;
    try {
      readDetectConfig({ DETECT_MITIGATION_SECURITY_PROFILE: 'p', DETECT_MITIGATION_ACTIONS: '[', DETECT_MITIGATION_TASK_ID_PREFIX: 'dd0' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ConfigError', message: 'environment variable DETECT_MITIGATION_ACTIONS is not JSON: [' });
    expect(isPermanent(error)).toBe(true);
  });

});
