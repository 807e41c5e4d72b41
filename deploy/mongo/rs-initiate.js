// One-shot job (apps.yml, service mongo-rs-init): makes mongo-store-1..3 one replica set, rs0.
// Idempotent: a set that is already initiated is left alone, so the job may run on every deploy.
// Run by mongosh against mongo-store-1 with directConnection=true (no set exists yet).
const members = [1, 2, 3].map((n) => ({ _id: n - 1, host: `mongo-store-${n}:27017` }));

// The members start in any order: wait (bounded) until each one answers a ping.
for (const member of members) {
  for (let attempt = 1; ; attempt++) {
    try {
      const reply = new Mongo(`mongodb://${member.host}/?directConnection=true`).getDB('admin').runCommand({ ping: 1 });
      if (reply.ok === 1) break;
    } catch (error) {
      if (attempt >= 60) throw new Error(`${member.host} did not answer within 120 s: ${error}`);
    }
    sleep(2000);
  }
}

try {
  const status = rs.status();
  print(`replica set ${status.set} already initiated; members: ${status.members.map((m) => `${m.name} ${m.stateStr}`).join(', ')}`);
} catch (error) {
  if (error.codeName !== 'NotYetInitialized') throw error;
  const reply = rs.initiate({ _id: 'rs0', members });
  if (reply.ok !== 1) throw new Error(`rs.initiate failed: ${JSON.stringify(reply)}`);
  print('replica set rs0 initiated with ' + members.map((m) => m.host).join(', '));
}
