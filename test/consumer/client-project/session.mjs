// ES module: import of the installed package (see drive-session.cjs). Prints one JSON line.
import drive from './drive-session.cjs';

const { entry, options } = drive.parseArgs(process.argv.slice(2));
const client = await import(entry);
const result = await drive.driveSession(client, options);
console.log(
  JSON.stringify({
    ...result,
    resolved: import.meta.resolve(entry),
    // One DeviceSession class whichever entry it comes from (the ES build shares a chunk).
    sameClassAsMainEntry: client.DeviceSession === (await import('cdk-concurrency-tracker-client')).DeviceSession,
  }),
);
