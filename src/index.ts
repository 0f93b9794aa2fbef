export * from './audit-check';
export * from './mitigation-action-params';
export * from './mitigation-action';
