import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE } from '../../src/config/package-info';

describe('package info', () => {
  it('matches package.json, which the code does not import', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { name: string; version: string };
    expect(PACKAGE).toEqual({ name: pkg.name, version: pkg.version });
  });
});
