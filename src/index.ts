export * from './audit-check';
export * from './mitigation-action-type';
export * from './mitigation-action-params';
export * from './mitigation-action';
export * from './audit-mitigation-rule';
export * from './audit-mitigation';
export * from './audit-mitigation-task';
export * from './detect-mitigation';
