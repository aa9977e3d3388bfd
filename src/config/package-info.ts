/**
 * The name and version the API's index reports. Kept equal to package.json's by a unit test:
 * importing package.json instead would make tsc copy it into dist/, where the built API would
 * take dist/ for the project's root.
 */
export const PACKAGE = { name: 'ats-backend', version: '0.1.0' } as const;
