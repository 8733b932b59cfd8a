// Regenerates src/fleet-descriptor.json from the vendored Flower 1.10 .proto files (proto/).
// The JSON descriptor is what both transports load: it needs no file system, so REST also runs in a browser.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const here = dirname(fileURLToPath(import.meta.url));
export function loadVendoredRoot() {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(here, '..', 'proto', target);
  root.loadSync(['flwr/proto/fleet.proto'], { keepCase: true });
  return root;
}
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(here, '..', 'src', 'fleet-descriptor.json'), `${JSON.stringify(loadVendoredRoot().toJSON(), null, 1)}\n`);
}
