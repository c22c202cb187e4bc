'use strict';
// CommonJS: require() of the installed package (see drive-session.cjs). Prints one JSON line.
const { driveSession, parseArgs } = require('./drive-session.cjs');

const { entry, options } = parseArgs(process.argv.slice(2));
const client = require(entry);
driveSession(client, options).then(
  (result) =>
    console.log(
      JSON.stringify({
        ...result,
        resolved: require.resolve(entry),
        // One DeviceSession class whichever entry it comes from.
        sameClassAsMainEntry: client.DeviceSession === require('cdk-concurrency-tracker-client').DeviceSession,
      }),
    ),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
