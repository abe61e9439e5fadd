import { describeDataPortContract } from '../data/dataPort.contract';
import { FakeData } from './fakeData';

// The test fake held to the data-port contract; the same suite runs against the Firestore
// adapter on the emulator (firestoreData.integration.test.ts).
describeDataPortContract('FakeData', async () => {
  const fake = new FakeData();
  return { port: fake, other: fake, denied: fake.restricted(['servers']), deniedCollection: 'servers', cleanup: async () => undefined };
});
