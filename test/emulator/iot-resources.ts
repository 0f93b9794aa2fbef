/**
 * The IoT resources that Device Defender mitigation actions change (device certificates, CA
 * certificates, things, thing groups, policies and their versions), kept by `IotEmulator`.
 *
 * Every mutating method behaves like the IoT API operation of the same purpose and throws
 * `ApiError` with the error code and HTTP status IoT uses, so the HTTP handlers and the emulated
 * mitigation actions (`IotEmulator.runAuditMitigationTask`) share one implementation: an action's
 * failure is exactly the error the API call would have returned.
 */
import type { Scope } from './identity';
import {
  CA_CERTIFICATE_STATUSES,
  CACertificateStatus,
  CERTIFICATE_ID,
  CertificateStatus,
  checkString,
  MAX_POLICY_VERSIONS,
  POLICY_NAME,
  StringRule,
  THING_GROUP_NAME,
  THING_NAME,
} from './iot-model';

/** An API error; the emulator sends it as a restJson1 error (`x-amzn-ErrorType`, `{ message }`). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const invalidRequest = (message: string): ApiError => new ApiError(400, 'InvalidRequestException', message);
export const notFound = (message: string): ApiError => new ApiError(404, 'ResourceNotFoundException', message);

/**
 * The document REPLACE_DEFAULT_POLICY_VERSION (template BLANK_POLICY) installs as the new default
 * version. AWS does not publish the template's text; the emulator uses a deny-everything policy.
 */
export const BLANK_POLICY_DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

/** The ARNs AWS IoT gives the resources of one account in one region. */
export class IotArns {
  constructor(readonly scope: Scope) {}

  certificate(certificateId: string): string {
    return this.arn('cert', certificateId);
  }

  caCertificate(certificateId: string): string {
    return this.arn('cacert', certificateId);
  }

  thing(thingName: string): string {
    return this.arn('thing', thingName);
  }

  thingGroup(groupName: string): string {
    return this.arn('thinggroup', groupName);
  }

  policy(policyName: string): string {
    return this.arn('policy', policyName);
  }

  securityProfile(securityProfileName: string): string {
    return this.arn('securityprofile', securityProfileName);
  }

  /** Name from an IoT ARN of the given resource kind (`thing`, `thinggroup`, `cert`) in this account and region, else undefined. */
  nameFrom(arn: string, kind: string): string | undefined {
    const m = /^arn:aws[a-z-]*:iot:([^:]*):(\d{12}):([a-z]+)\/(.+)$/.exec(arn);
    return m && m[1] === this.scope.region && m[2] === this.scope.account && m[3] === kind ? m[4] : undefined;
  }

  private arn(kind: string, name: string): string {
    return `arn:aws:iot:${this.scope.region}:${this.scope.account}:${kind}/${name}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds and snapshots
// ---------------------------------------------------------------------------------------------

export interface CertificateSeed {
  /** 64 hexadecimal characters, as IoT issues them. */
  certificateId: string;
  /** Defaults to ACTIVE. */
  status?: 'ACTIVE' | 'INACTIVE' | 'REVOKED';
  caCertificateId?: string;
}

export interface CaCertificateSeed {
  certificateId: string;
  /** Defaults to ACTIVE. */
  status?: CACertificateStatus;
}

export interface PolicySeed {
  policyName: string;
  /** The document of version 1 (the default version); an object is serialized with JSON.stringify. */
  document: string | Record<string, unknown>;
}

export interface CertificateSnapshot {
  certificateId: string;
  certificateArn: string;
  status: CertificateStatus;
  caCertificateId?: string;
  creationDate: Date;
  lastModifiedDate: Date;
  /** Starts at 1; every status change increments it (as IoT's customerVersion does). */
  customerVersion: number;
  generationId: string;
}

export interface CaCertificateSnapshot {
  certificateId: string;
  certificateArn: string;
  status: CACertificateStatus;
  autoRegistrationStatus: 'ENABLE' | 'DISABLE';
  registrationConfig?: { templateBody?: string; roleArn?: string; templateName?: string };
  creationDate: Date;
  lastModifiedDate: Date;
  customerVersion: number;
  generationId: string;
}

export interface PolicyVersionSnapshot {
  versionId: string;
  document: string;
  isDefaultVersion: boolean;
  creationDate: Date;
}

export interface PolicySnapshot {
  policyName: string;
  policyArn: string;
  defaultVersionId: string;
  /** The default version's document. */
  document: string;
  /** Ascending by version id. */
  versions: PolicyVersionSnapshot[];
  creationDate: Date;
  lastModifiedDate: Date;
  generationId: string;
}

type CertificateState = Omit<CertificateSnapshot, 'certificateArn'>;
type CaCertificateState = Omit<CaCertificateSnapshot, 'certificateArn'>;

interface PolicyVersionState {
  versionId: string;
  document: string;
  creationDate: Date;
}

interface PolicyState {
  policyName: string;
  versions: Map<string, PolicyVersionState>;
  defaultVersionId: string;
  /** Version ids are never reused: the next one is one more than the highest ever created. */
  lastVersion: number;
  creationDate: Date;
  lastModifiedDate: Date;
  generationId: string;
}

function seedCheck(method: string, path: string, value: unknown, rule: StringRule): void {
  const problems = checkString(path, value, rule, true);
  if (problems.length > 0) throw new Error(`${method}: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

export class IotResourceStore {
  private readonly certificates = new Map<string, CertificateState>();
  private readonly caCertificates = new Map<string, CaCertificateState>();
  /** Thing name -> the groups it belongs to, in the order it was added to them. */
  private readonly things = new Map<string, Set<string>>();
  /** Thing group name -> member things, in the order they were added. */
  private readonly thingGroups = new Map<string, Set<string>>();
  /** Principal (certificate ARN, ...) -> attached things. */
  private readonly principals = new Map<string, Set<string>>();
  private readonly policies = new Map<string, PolicyState>();
  private generation = 0;

  constructor(readonly arns: IotArns) {}

  clear(): void {
    this.certificates.clear();
    this.caCertificates.clear();
    this.things.clear();
    this.thingGroups.clear();
    this.principals.clear();
    this.policies.clear();
    this.generation = 0;
  }

  /** Deterministic UUID-shaped generation ids. */
  private nextGeneration(): string {
    this.generation += 1;
    return `22222222-0000-4000-8000-${this.generation.toString(16).padStart(12, '0')}`;
  }

  // -------------------------------------------------------------------------------------------
  // Seeding
  // -------------------------------------------------------------------------------------------

  addCertificate(seed: CertificateSeed): void {
    seedCheck('addCertificate', 'certificateId', seed.certificateId, CERTIFICATE_ID);
    if (seed.caCertificateId !== undefined) seedCheck('addCertificate', 'caCertificateId', seed.caCertificateId, CERTIFICATE_ID);
    const status = seed.status ?? 'ACTIVE';
    if (!['ACTIVE', 'INACTIVE', 'REVOKED'].includes(status)) throw new Error(`addCertificate: status must be ACTIVE, INACTIVE or REVOKED, got ${status}`);
    if (this.certificates.has(seed.certificateId)) throw new Error(`addCertificate: ${seed.certificateId} already exists`);
    const now = new Date();
    this.certificates.set(seed.certificateId, {
      certificateId: seed.certificateId,
      status,
      caCertificateId: seed.caCertificateId,
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: this.nextGeneration(),
    });
  }

  addCaCertificate(seed: CaCertificateSeed): void {
    seedCheck('addCaCertificate', 'certificateId', seed.certificateId, CERTIFICATE_ID);
    const status = seed.status ?? 'ACTIVE';
    if (!(CA_CERTIFICATE_STATUSES as readonly string[]).includes(status)) throw new Error(`addCaCertificate: status must be ACTIVE or INACTIVE, got ${status}`);
    if (this.caCertificates.has(seed.certificateId)) throw new Error(`addCaCertificate: ${seed.certificateId} already exists`);
    const now = new Date();
    this.caCertificates.set(seed.certificateId, {
      certificateId: seed.certificateId,
      status,
      autoRegistrationStatus: 'DISABLE',
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: this.nextGeneration(),
    });
  }

  addThing(thingName: string): void {
    seedCheck('addThing', 'thingName', thingName, THING_NAME);
    if (this.things.has(thingName)) throw new Error(`addThing: ${thingName} already exists`);
    this.things.set(thingName, new Set());
  }

  addThingGroup(groupName: string): void {
    seedCheck('addThingGroup', 'thingGroupName', groupName, THING_GROUP_NAME);
    if (this.thingGroups.has(groupName)) throw new Error(`addThingGroup: ${groupName} already exists`);
    this.thingGroups.set(groupName, new Set());
  }

  attachThingPrincipal(thingName: string, principal: string): void {
    if (!this.things.has(thingName)) throw new Error(`attachThingPrincipal: thing ${thingName} does not exist; add it with addThing first`);
    if (typeof principal !== 'string' || principal.length === 0) throw new Error('attachThingPrincipal: principal must be a non-empty string');
    const attached = this.principals.get(principal) ?? new Set<string>();
    attached.add(thingName);
    this.principals.set(principal, attached);
  }

  addPolicy(seed: PolicySeed): void {
    seedCheck('addPolicy', 'policyName', seed.policyName, POLICY_NAME);
    if (this.policies.has(seed.policyName)) throw new Error(`addPolicy: ${seed.policyName} already exists`);
    const document = typeof seed.document === 'string' ? seed.document : JSON.stringify(seed.document);
    try {
      JSON.parse(document);
    } catch {
      throw new Error(`addPolicy: the document of ${seed.policyName} is not valid JSON`);
    }
    const now = new Date();
    this.policies.set(seed.policyName, {
      policyName: seed.policyName,
      versions: new Map([['1', { versionId: '1', document, creationDate: now }]]),
      defaultVersionId: '1',
      lastVersion: 1,
      creationDate: now,
      lastModifiedDate: now,
      generationId: this.nextGeneration(),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Inspection (copies; undefined for unknown resources)
  // -------------------------------------------------------------------------------------------

  certificate(certificateId: string): CertificateSnapshot | undefined {
    const c = this.certificates.get(certificateId);
    return c ? { ...structuredClone(c), certificateArn: this.arns.certificate(c.certificateId) } : undefined;
  }

  caCertificate(certificateId: string): CaCertificateSnapshot | undefined {
    const c = this.caCertificates.get(certificateId);
    return c ? { ...structuredClone(c), certificateArn: this.arns.caCertificate(c.certificateId) } : undefined;
  }

  policy(policyName: string): PolicySnapshot | undefined {
    const p = this.policies.get(policyName);
    if (!p) return undefined;
    return {
      policyName: p.policyName,
      policyArn: this.arns.policy(p.policyName),
      defaultVersionId: p.defaultVersionId,
      document: (p.versions.get(p.defaultVersionId) as PolicyVersionState).document,
      versions: this.sortedVersions(p).map((v) => ({
        versionId: v.versionId, document: v.document, isDefaultVersion: v.versionId === p.defaultVersionId, creationDate: new Date(v.creationDate),
      })),
      creationDate: new Date(p.creationDate),
      lastModifiedDate: new Date(p.lastModifiedDate),
      generationId: p.generationId,
    };
  }

  hasThing(thingName: string): boolean {
    return this.things.has(thingName);
  }

  hasThingGroup(groupName: string): boolean {
    return this.thingGroups.has(groupName);
  }

  // -------------------------------------------------------------------------------------------
  // API behaviour (throws ApiError like the operation would)
  // -------------------------------------------------------------------------------------------

  certificateOr404(certificateId: string): CertificateSnapshot {
    const c = this.certificate(certificateId);
    if (!c) throw notFound(`The certificate ${certificateId} does not exist.`);
    return c;
  }

  /** UpdateCertificate. A REVOKED certificate cannot change status (CertificateStateException, 406). */
  updateCertificate(certificateId: string, newStatus: CertificateStatus): void {
    const c = this.certificates.get(certificateId);
    if (!c) throw notFound(`The certificate ${certificateId} does not exist.`);
    if (c.status === 'REVOKED' && newStatus !== 'REVOKED') {
      throw new ApiError(406, 'CertificateStateException', `The certificate ${certificateId} is REVOKED; a revoked certificate cannot change status.`);
    }
    if (c.status === newStatus) return;
    c.status = newStatus;
    c.lastModifiedDate = new Date();
    c.customerVersion += 1;
    c.generationId = this.nextGeneration();
  }

  caCertificateOr404(certificateId: string): CaCertificateSnapshot {
    const c = this.caCertificate(certificateId);
    if (!c) throw notFound(`The CA certificate ${certificateId} does not exist.`);
    return c;
  }

  /** UpdateCACertificate. */
  updateCaCertificate(certificateId: string, update: {
    newStatus?: CACertificateStatus;
    newAutoRegistrationStatus?: 'ENABLE' | 'DISABLE';
    registrationConfig?: { templateBody?: string; roleArn?: string; templateName?: string };
    removeAutoRegistration?: boolean;
  }): void {
    const c = this.caCertificates.get(certificateId);
    if (!c) throw notFound(`The CA certificate ${certificateId} does not exist.`);
    let changed = false;
    if (update.newStatus !== undefined && update.newStatus !== c.status) {
      c.status = update.newStatus;
      changed = true;
    }
    if (update.newAutoRegistrationStatus !== undefined && update.newAutoRegistrationStatus !== c.autoRegistrationStatus) {
      c.autoRegistrationStatus = update.newAutoRegistrationStatus;
      changed = true;
    }
    if (update.registrationConfig !== undefined) {
      c.registrationConfig = structuredClone(update.registrationConfig);
      changed = true;
    }
    if (update.removeAutoRegistration === true) {
      c.autoRegistrationStatus = 'DISABLE';
      c.registrationConfig = undefined;
      changed = true;
    }
    if (!changed) return;
    c.lastModifiedDate = new Date();
    c.customerVersion += 1;
    c.generationId = this.nextGeneration();
  }

  /** ListPrincipalThings: the things attached to the principal; 404 for a principal IoT does not know. */
  principalThings(principal: string): string[] {
    const attached = this.principals.get(principal);
    if (attached) return [...attached];
    const certId = this.arns.nameFrom(principal, 'cert');
    if (certId !== undefined && this.certificates.has(certId)) return [];
    throw notFound(`The principal ${principal} does not exist.`);
  }

  /** ListThingPrincipals: the principals attached to the thing, in the order they were attached; 404 for an unknown thing. */
  thingPrincipals(thingName: string): string[] {
    if (!this.things.has(thingName)) throw notFound(`The thing ${thingName} does not exist.`);
    return [...this.principals.entries()].filter(([, things]) => things.has(thingName)).map(([principal]) => principal);
  }

  /** Resolves a thing from a name and/or ARN (RemoveThingFromThingGroup). */
  resolveThing(name: string | undefined, arn: string | undefined): string {
    const fromArn = arn === undefined ? undefined : this.arns.nameFrom(arn, 'thing');
    if (arn !== undefined && fromArn === undefined) throw invalidRequest(`${arn} is not a thing ARN of account ${this.arns.scope.account} in ${this.arns.scope.region}.`);
    if (name !== undefined && fromArn !== undefined && name !== fromArn) throw invalidRequest(`thingName ${name} and thingArn ${arn} name different things.`);
    const thing = (name ?? fromArn) as string;
    if (!this.things.has(thing)) throw notFound(`The thing ${thing} does not exist.`);
    return thing;
  }

  resolveThingGroup(name: string | undefined, arn: string | undefined): string {
    const fromArn = arn === undefined ? undefined : this.arns.nameFrom(arn, 'thinggroup');
    if (arn !== undefined && fromArn === undefined) throw invalidRequest(`${arn} is not a thing group ARN of account ${this.arns.scope.account} in ${this.arns.scope.region}.`);
    if (name !== undefined && fromArn !== undefined && name !== fromArn) throw invalidRequest(`thingGroupName ${name} and thingGroupArn ${arn} name different groups.`);
    const group = (name ?? fromArn) as string;
    if (!this.thingGroups.has(group)) throw notFound(`The thing group ${group} does not exist.`);
    return group;
  }

  /** Adds a thing to a group as AddThingToThingGroup would (idempotent: adding a member again succeeds). */
  addThingToThingGroup(thingName: string, groupName: string): void {
    const groups = this.things.get(thingName);
    const members = this.thingGroups.get(groupName);
    if (!groups) throw notFound(`The thing ${thingName} does not exist.`);
    if (!members) throw notFound(`The thing group ${groupName} does not exist.`);
    groups.add(groupName);
    members.add(thingName);
  }

  /** RemoveThingFromThingGroup (idempotent: removing a non-member succeeds). */
  removeThingFromThingGroup(thingName: string, groupName: string): void {
    const groups = this.things.get(thingName);
    const members = this.thingGroups.get(groupName);
    if (!groups) throw notFound(`The thing ${thingName} does not exist.`);
    if (!members) throw notFound(`The thing group ${groupName} does not exist.`);
    groups.delete(groupName);
    members.delete(thingName);
  }

  thingGroupsOfOr404(thingName: string): string[] {
    const groups = this.things.get(thingName);
    if (!groups) throw notFound(`The thing ${thingName} does not exist.`);
    return [...groups];
  }

  thingsInGroupOr404(groupName: string): string[] {
    const members = this.thingGroups.get(groupName);
    if (!members) throw notFound(`The thing group ${groupName} does not exist.`);
    return [...members];
  }

  policyOr404(policyName: string): PolicySnapshot {
    const p = this.policy(policyName);
    if (!p) throw notFound(`The policy ${policyName} does not exist.`);
    return p;
  }

  policyVersionOr404(policyName: string, versionId: string): PolicyVersionSnapshot {
    const p = this.policyOr404(policyName);
    const v = p.versions.find((x) => x.versionId === versionId);
    if (!v) throw notFound(`Version ${versionId} of the policy ${policyName} does not exist.`);
    return v;
  }

  /**
   * CreatePolicyVersion: MalformedPolicyException (400) for a document that is not JSON,
   * VersionsLimitExceededException (409) when the policy already has 5 versions.
   */
  createPolicyVersion(policyName: string, document: string, setAsDefault: boolean): PolicyVersionSnapshot {
    const p = this.policies.get(policyName);
    if (!p) throw notFound(`The policy ${policyName} does not exist.`);
    try {
      JSON.parse(document);
    } catch {
      throw new ApiError(400, 'MalformedPolicyException', 'The policy document is not valid JSON.');
    }
    if (p.versions.size >= MAX_POLICY_VERSIONS) {
      throw new ApiError(409, 'VersionsLimitExceededException',
        `The policy ${policyName} already has the maximum number of versions (${MAX_POLICY_VERSIONS}); delete one with DeletePolicyVersion before creating another.`);
    }
    p.lastVersion += 1;
    const version: PolicyVersionState = { versionId: String(p.lastVersion), document, creationDate: new Date() };
    p.versions.set(version.versionId, version);
    if (setAsDefault) p.defaultVersionId = version.versionId;
    p.lastModifiedDate = version.creationDate;
    p.generationId = this.nextGeneration();
    return { versionId: version.versionId, document, isDefaultVersion: setAsDefault, creationDate: new Date(version.creationDate) };
  }

  setDefaultPolicyVersion(policyName: string, versionId: string): void {
    const p = this.policies.get(policyName);
    if (!p) throw notFound(`The policy ${policyName} does not exist.`);
    if (!p.versions.has(versionId)) throw notFound(`Version ${versionId} of the policy ${policyName} does not exist.`);
    if (p.defaultVersionId === versionId) return;
    p.defaultVersionId = versionId;
    p.lastModifiedDate = new Date();
    p.generationId = this.nextGeneration();
  }

  /** DeletePolicyVersion: the default version cannot be deleted (DeleteConflictException, 409). */
  deletePolicyVersion(policyName: string, versionId: string): void {
    const p = this.policies.get(policyName);
    if (!p) throw notFound(`The policy ${policyName} does not exist.`);
    if (!p.versions.has(versionId)) throw notFound(`Version ${versionId} of the policy ${policyName} does not exist.`);
    if (p.defaultVersionId === versionId) {
      throw new ApiError(409, 'DeleteConflictException',
        `Cannot delete the default version ${versionId} of the policy ${policyName}; set another version as the default first, or use DeletePolicy.`);
    }
    p.versions.delete(versionId);
    p.lastModifiedDate = new Date();
    p.generationId = this.nextGeneration();
  }

  private sortedVersions(p: PolicyState): PolicyVersionState[] {
    return [...p.versions.values()].sort((a, b) => Number(a.versionId) - Number(b.versionId));
  }
}
