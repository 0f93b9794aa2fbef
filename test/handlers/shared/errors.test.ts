import { ConfigError } from '../../../src/handlers/shared/config';
import {
  answerOf, classified, classifyError, DeadlineExceededError, errorMessage, errorName, isPermanent, PermanentError,
} from '../../../src/handlers/shared/errors';
import { MalformedMessageError } from '../../../src/handlers/shared/message';
import { InvalidTargetError } from '../../../src/handlers/shared/targets';

describe('permanent or transient', () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });
  test.each<[string, unknown, boolean]>([
    ['InvalidRequestException', named('InvalidRequestException'), true],
    ['AccessDeniedException', named('AccessDeniedException'), true],
    ['ResourceNotFoundException', named('ResourceNotFoundException'), true],
    ['a malformed message', new MalformedMessageError('alert', 'not JSON'), true],
    ['a configuration error', new ConfigError('environment variable X is not set'), true],
    ['ThrottlingException', named('ThrottlingException'), false],
    ['InternalFailureException', named('InternalFailureException'), false],
    ['a plain Error', new Error('socket hang up'), false],
    ['not an Error', 'InvalidRequestException', false],
  ])('%s', (_what, error, permanent) => {
    expect(isPermanent(error)).toBe(permanent);
  });

});

describe('classifyError: permanent, throttled or retryable', () => {
  const named = (name: string) => Object.assign(new Error('x'), { name });
  test.each<[string, unknown, string]>([
    ['InvalidRequestException', named('InvalidRequestException'), 'permanent'],
    ['AccessDeniedException', named('AccessDeniedException'), 'permanent'],
    ['a malformed message', new MalformedMessageError('alert', 'not JSON'), 'permanent'],
    ['a configuration error', new ConfigError('environment variable X is not set'), 'permanent'],
    ['an invalid target', new InvalidTargetError('findingIds is empty'), 'permanent'],
    ['ThrottlingException (AWS IoT, EventBridge)', named('ThrottlingException'), 'throttled'],
    ['Throttling (SNS)', named('Throttling'), 'throttled'],
    ['LimitExceededException (AWS IoT\'s 410)', named('LimitExceededException'), 'throttled'],
    ['ProvisionedThroughputExceededException (DynamoDB)', named('ProvisionedThroughputExceededException'), 'throttled'],
    ['any error answered with HTTP 429', Object.assign(named('SomethingNew'), { $metadata: { httpStatusCode: 429 } }), 'throttled'],
    ['AccessDenied (STS: a role that does not trust the caller)', named('AccessDenied'), 'permanent'],
    ['RegionDisabledException (STS off in the region)', named('RegionDisabledException'), 'permanent'],
    ['InvalidParameterException (SNS: a confirmation token expired or unknown)', named('InvalidParameterException'), 'permanent'],
    ['NotFoundException (SNS: a topic that is gone)', named('NotFoundException'), 'permanent'],
    ['AuthorizationErrorException (SNS: a topic that refuses the caller)', named('AuthorizationErrorException'), 'permanent'],
    ['ParameterNotFound (SSM: a spoke without its configuration)', named('ParameterNotFound'), 'permanent'],
    ['ExpiredToken (credentials past their expiry: new ones fix it)', named('ExpiredToken'), 'retryable'],
    ['InternalFailureException', named('InternalFailureException'), 'retryable'],
    ['a socket closed', new Error('socket hang up'), 'retryable'],
    ['not an Error', 'InvalidRequestException', 'retryable'],
  ])('%s', (_what, error, errorClass) => {
    expect(classifyError(error)).toBe(errorClass);
    expect(isPermanent(error)).toBe(errorClass === 'permanent');
  });

  test('the handlers\' own failures are permanent by type, whatever their name; none borrows an AWS error\'s name', () => {
    for (const error of [new MalformedMessageError('alert', 'x'), new ConfigError('x'), new InvalidTargetError('x')]) {
      expect(error).toBeInstanceOf(PermanentError);
      expect(error.name).not.toMatch(/Exception$/);
    }
    expect(classifyError(Object.assign(new Error('x'), { name: 'ConfigError' }))).toBe('retryable');
  });
});

describe('answers and names', () => {
  test('answerOf returns the value, or the failure with its class, never throwing', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    await expect(answerOf(async () => 7)).resolves.toEqual({ value: 7 });
    await expect(answerOf(async () => { throw throttled; })).resolves.toEqual(classified(throttled));
    expect(classified(throttled)).toEqual({ error: throttled, errorClass: 'throttled' });
  });

  test('errorName and errorMessage of errors and of anything else; the deadline is DeadlineExceeded', () => {
    expect([errorName(new DeadlineExceededError('late')), errorMessage(new DeadlineExceededError('late'))]).toEqual(['DeadlineExceeded', 'late']);
    expect([errorName('text'), errorMessage('text')]).toEqual(['string', 'text']);
  });
});
