import { awscdk, javascript } from "projen";
const project = new awscdk.AwsCdkConstructLibrary({
  author: "cdk-device-defender contributors",
  authorAddress: "maintainers@cdk-device-defender.dev",
  cdkVersion: "2.257.0",
  defaultReleaseBranch: "main",
  jsiiVersion: "~6.0.0",
  name: "cdk-device-defender",
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  repositoryUrl: "https://github.com/cdk-device-defender/cdk-device-defender.git",

  // deps: [],                /* Runtime dependencies of this module. */
  // description: undefined,  /* The description is just a string that helps people understand the purpose of the package. */
  // devDeps: [],             /* Build dependencies for this module. */
  // packageName: undefined,  /* The "name" in package.json. */
});
project.synth();