/**
 * Node's command-line flags for the ingest process, wherever it is launched: the image's default
 * command, docker-compose.yml, the Helm chart, deploy/local/pipeline and bench:ingest (the deploy
 * unit tests hold each of them to this list).
 *
 * --single-threaded-gc: V8 collects garbage on the thread that allocated it, with no parallel or
 * concurrent helper threads. Ingest keeps its cores busy with its own threads (the event loop and
 * the decode workers, ingest.decodeThreads), so the helpers mostly competed with them: on the
 * 2-core benchmark machine they took about 1.3 s of CPU in a 7.6 s run. With the flag the service
 * used ~7 % less CPU and published ~7 % more prefixes per second on average (bench:ingest, ten
 * alternating pairs, nine won), for 10-20 MiB more peak resident memory. On a host with cores to
 * spare beyond the decode threads, the helpers may pay again: drop the flag from the command there.
 * V8 reads it when it starts, so it cannot be set from inside the program, and NODE_OPTIONS
 * refuses it.
 */
export const INGEST_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];
