#ifndef TASK_LEDGER_SQLITE_CONFIG_H
#define TASK_LEDGER_SQLITE_CONFIG_H

/// Configures SQLite for how GRDB uses it, before the library is initialised: each connection is
/// used by one thread at a time (multi-thread mode, no per-call connection mutex), and no global
/// memory statistics (no mutex around every allocation). sqlite3_config is variadic and cannot be
/// called from Swift. Returns 0 when applied, or SQLite's error code when SQLite was already
/// initialised (then nothing changes and everything still works, only slower).
int task_ledger_configure_sqlite(void);

#endif
