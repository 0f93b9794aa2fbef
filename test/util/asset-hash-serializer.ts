/**
 * Jest snapshot serializer: replaces asset hashes (64 hex characters, alone or in an
 * asset file name) so that snapshots change with the template, not with handler code.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;
const HAS_ASSET_HASH = /[0-9a-f]{64}/;

export function test(value: unknown): boolean {
  return typeof value === 'string' && HAS_ASSET_HASH.test(value);
}

export function serialize(value: string, config: any, indentation: string, depth: number, refs: any, printer: any): string {
  return printer(value.replace(ASSET_HASH, '[ASSET_HASH]'), config, indentation, depth, refs);
}
