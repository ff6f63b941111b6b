/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
  // Real-engine tests start the Pulumi CLI; they set their own longer timeouts.
  testTimeout: 30000,
  modulePathIgnorePatterns: ["<rootDir>/dist/"],
};
