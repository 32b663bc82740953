"""The app's processes as the database knows them: each one's heartbeat and the sockets it serves, so
a process that dies (kill -9, a lost machine) or a close the database missed (it was away) never
leaves a customer online or an agent's console open for ever."""
