// Worker entry for Node: workers start without the parent's TypeScript loader (tsx's hooks do
// not carry over to worker threads), so register it here, then load the real entry given in
// workerData.entry. Node-only; nothing in the app imports this file.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
