// Preload (`node --require bench/first-connect.cjs ...`): ends the process with code 42 the moment it
// opens its first outgoing TCP connection, so that spawn to exit is spawn to that connection. Loads
// nothing Node has not loaded already (diagnostics_channel is part of its bootstrap).
require('node:diagnostics_channel').subscribe('net.client.socket', () => process.exit(42));
