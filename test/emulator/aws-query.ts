/**
 * The awsQuery protocol as the SNS and STS emulators speak it (`@aws-sdk/core`'s AwsQueryProtocol):
 *  - request: `POST /`, `content-type: application/x-www-form-urlencoded`, SigV4-signed, body
 *    `Action=<Operation>&Version=<api version>&<Member>=..`, lists as `<Member>.member.N`, maps as
 *    `<Member>.entry.N.key` / `.value`; values percent-encoded (space = %20, '+' = %2B).
 *  - success: XML `<OperationResponse xmlns=".."><OperationResult>..</OperationResult>
 *    <ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></OperationResponse>`.
 *  - error: XML `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>..</Code><Message>..</Message>
 *    </Error><RequestId>..</RequestId></ErrorResponse>`; the SDK maps `Code` through the model's
 *    awsQueryError traits, and an unmodeled code becomes a service exception named after it.
 */
import type * as http from 'node:http';
import { AUTH_ERRORS, AUTH_MESSAGES, AuthRefusal } from './identity';

export interface QueryError {
  status: number;
  type: 'Sender' | 'Receiver';
  code: string;
  message: string;
}

/** A request-constraint violation and the error it earns. */
export interface Problem {
  violation: string;
  error: QueryError;
}

export function escapeXml(s: string): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
  return s.replace(/[&<>"']/g, (c) => entities[c]);
}

/** `<Name>value</Name>` with the value escaped; nothing when the value is undefined. */
export function xmlElement(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Decodes an application/x-www-form-urlencoded body; repeated keys are reported, first value wins. */
export function parseForm(text: string): { params: Record<string, string>; duplicates: string[] } {
  const params: Record<string, string> = {};
  const duplicates: string[] = [];
  for (const [key, value] of new URLSearchParams(text)) {
    if (Object.prototype.hasOwnProperty.call(params, key)) duplicates.push(key);
    else params[key] = value;
  }
  return { params, duplicates };
}

/** The entries of a map member (`<member>.entry.N.key` / `.value`), in N order; gaps and missing halves are problems. */
export function formMap(params: Record<string, string>, member: string): { entries: Array<[string, string]>; problems: string[] } {
  const pattern = new RegExp(`^${member}\\.entry\\.(\\d+)\\.(key|value)$`);
  const byIndex = new Map<number, { key?: string; value?: string }>();
  for (const [name, value] of Object.entries(params)) {
    const m = pattern.exec(name);
    if (!m) continue;
    const entry = byIndex.get(Number(m[1])) ?? {};
    entry[m[2] as 'key' | 'value'] = value;
    byIndex.set(Number(m[1]), entry);
  }
  const problems: string[] = [];
  const entries: Array<[string, string]> = [];
  [...byIndex.keys()].sort((a, b) => a - b).forEach((index, i) => {
    const entry = byIndex.get(index)!;
    if (index !== i + 1) problems.push(`${member}.entry.${index}: entries must be numbered 1..N without gaps`);
    if (entry.key === undefined || entry.value === undefined) problems.push(`${member}.entry.${index}: needs both key and value`);
    else entries.push([entry.key, entry.value]);
  });
  return { entries, problems };
}

/** The error a query service answers a refused access key with. */
export function authError(refusal: AuthRefusal): QueryError {
  return { ...AUTH_ERRORS.awsQuery[refusal], type: 'Sender', message: AUTH_MESSAGES[refusal] };
}

/** Writes an XML document with the headers the SDK reads. */
export function sendXml(res: http.ServerResponse, status: number, requestId: string, xml: string): void {
  const body = `<?xml version="1.0"?>\n${xml}\n`;
  res.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
}

/** Writes `<Operation>Response` with `result` (inner XML) as its `<Operation>Result`. */
export function sendResult(res: http.ServerResponse, namespace: string, operation: string, requestId: string, result: string): void {
  sendXml(res, 200, requestId,
    `<${operation}Response xmlns="${namespace}">`
    + `<${operation}Result>${result}</${operation}Result>`
    + `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>`
    + `</${operation}Response>`);
}

/** Writes an `ErrorResponse`. */
export function sendQueryError(res: http.ServerResponse, namespace: string, requestId: string, error: QueryError): void {
  sendXml(res, error.status, requestId,
    `<ErrorResponse xmlns="${namespace}">`
    + `<Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>`
    + `<RequestId>${requestId}</RequestId>`
    + '</ErrorResponse>');
}
