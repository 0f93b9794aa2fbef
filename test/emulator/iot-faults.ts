/**
 * The faults the IoT emulator injects (`IotEmulator.injectFault`): what each kind answers, as
 * AWS IoT (or IAM in front of it) answers it. The bookkeeping (how many, which operation, the
 * seeded probability draw) is shared with the SNS emulator in `http-emulator.ts`.
 */
import type { BaseFaultSpec } from './http-emulator';

export type FaultKind =
  | 'throttle429'
  | 'throttlingException'
  | 'limitExceeded410'
  | 'internalFailure500'
  | 'invalidRequest'
  | 'resourceNotFound'
  | 'accessDenied403'
  | 'serviceUnavailable503'
  | 'resetConnection';

/** A fault to inject; `operation` is an IoT operation name, e.g. 'StartAuditMitigationActionsTask'. */
export interface FaultSpec extends BaseFaultSpec {
  kind: FaultKind;
  /** Delay before the fault is delivered. */
  delayMs?: number;
}

/** The error each kind answers with (resetConnection answers nothing: the socket is destroyed). */
export const IOT_FAULTS: Readonly<Record<Exclude<FaultKind, 'resetConnection'>, { status: number; code: string; message: string }>> = {
  throttle429: { status: 429, code: 'ThrottlingException', message: 'Rate exceeded' },
  throttlingException: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' },
  limitExceeded410: { status: 410, code: 'LimitExceededException', message: 'Limit exceeded' },
  internalFailure500: { status: 500, code: 'InternalFailureException', message: 'Internal failure (injected)' },
  invalidRequest: { status: 400, code: 'InvalidRequestException', message: 'Invalid request (injected)' },
  resourceNotFound: { status: 404, code: 'ResourceNotFoundException', message: 'Resource not found (injected)' },
  // What IAM answers when no policy allows the call (not in the IoT model: a common error of every AWS API).
  accessDenied403: { status: 403, code: 'AccessDeniedException', message: 'User is not authorized to perform this operation (injected)' },
  serviceUnavailable503: { status: 503, code: 'ServiceUnavailableException', message: 'Service unavailable (injected)' },
};

export function isIotFaultKind(kind: string): kind is FaultKind {
  return kind === 'resetConnection' || kind in IOT_FAULTS;
}
