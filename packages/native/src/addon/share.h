/*
 * Core sharing between pipeline stages. A kernel splits its work into blocks fixed by its shape alone and runs them
 * through share_run(); helper threads claim blocks only while some stage thread has said it is idle (waiting for
 * its next batch), so a stage with spare time lends its core to a busier one. Which thread runs a block never
 * changes the block's arithmetic: results are identical whatever the number of stages or helpers.
 */
#ifndef LOCALBP_SHARE_H
#define LOCALBP_SHARE_H

typedef void (*share_block_fn)(void *context, int block);

/* Runs fn(context, 0..blocks-1), each exactly once, on this thread and any helper that is free; returns when all ran. */
void share_run(share_block_fn fn, void *context, int blocks);

/* A stage thread going idle (+1) or busy again (-1). The first idle report starts the helper threads. */
void share_idle(int delta);

/* Blocks run by helpers since the process started (a measure of how much sharing happened). */
long long share_helped_blocks(void);

#endif
