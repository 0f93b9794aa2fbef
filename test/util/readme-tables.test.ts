import { readFileSync } from 'fs';
import { ALL_CHECKS_COMMENT, README, TABLES, readmeTable, renderTable } from './readme-tables';

// The README's tables of action types and audit checks are the library's tables rendered
// (test/util/readme-tables.ts): a new check or action type, or a change to one, changes them.
// `npx ts-node --transpile-only --project tsconfig.dev.json test/util/readme-tables.ts` rewrites them.

const readme = readFileSync(README, 'utf8');

test.each(Object.keys(TABLES))('the README\'s %s table is the library\'s', (name) => {
  expect(readmeTable(readme, name)).toEqual(renderTable(name));
});

test('the README says how many checks an AuditConfiguration enables by default', () => {
  expect(readme).toContain(ALL_CHECKS_COMMENT);
  expect(readme.match(/\ball \d+\b/g)).toEqual([ALL_CHECKS_COMMENT.replace('// default: ', '')]);
});

test('the README says every check accepts PUBLISH_FINDING_TO_SNS, which the check table leaves out (rendering it checks that)', () => {
  expect(readme).toMatch(/Every check accepts PUBLISH_FINDING_TO_SNS/);
  expect(readmeTable(readme, 'check-actions')).not.toMatch(/PUBLISH_FINDING_TO_SNS/);
});
