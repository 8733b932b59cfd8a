#define _POSIX_C_SOURCE 200809L
#include "share.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A posted run: blocks are claimed and counted under the one lock (few blocks per kernel, so it never contends). */
typedef struct {
  share_block_fn fn;
  void *context;
  int blocks;
  int next;
  int finished;
} task_t;

#define MAX_TASKS 64
#define MAX_HELPERS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static task_t *tasks[MAX_TASKS];
static int idle_stages = 0;
static int helping = 0;
static int helpers = 0;
static long long helped = 0;
/* LOCALBP_LEND_CORES=0 turns lending off (for comparisons); blocks are cut the same either way. */
static int lending = -1;

/* Under the lock: a posted task with a block left, or NULL. */
static task_t *claimable(void) {
  for (int i = 0; i < MAX_TASKS; i++) {
    if (tasks[i] != NULL && tasks[i]->next < tasks[i]->blocks) return tasks[i];
  }
  return NULL;
}

static void *helper_main(void *unused) {
  (void)unused;
  pthread_mutex_lock(&lock);
  for (;;) {
    // Never more helpers at work than stages idle: a helper must only ever use a core nobody else wants.
    task_t *task = helping < idle_stages ? claimable() : NULL;
    if (task == NULL) {
      pthread_cond_wait(&work, &lock);
      continue;
    }
    const int block = task->next++;
    helping++;
    pthread_mutex_unlock(&lock);
    task->fn(task->context, block);
    pthread_mutex_lock(&lock);
    helping--;
    helped++;
    if (++task->finished == task->blocks) pthread_cond_broadcast(&done);
  }
  return NULL;
}

void share_run(share_block_fn fn, void *context, int blocks) {
  if (blocks <= 1) {
    if (blocks == 1) fn(context, 0);
    return;
  }
  task_t task = {fn, context, blocks, 0, 0};
  int slot = -1;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < MAX_TASKS && slot < 0; i++) {
    if (tasks[i] == NULL) slot = i;
  }
  if (slot >= 0) {
    tasks[slot] = &task;
    if (idle_stages > helping) pthread_cond_signal(&work);
  }
  pthread_mutex_unlock(&lock);
  if (slot < 0) {
    // More concurrent kernels than slots: run this one alone, same blocks, same results.
    for (int b = 0; b < blocks; b++) fn(context, b);
    return;
  }
  for (;;) {
    pthread_mutex_lock(&lock);
    const int block = task.next < task.blocks ? task.next++ : -1;
    pthread_mutex_unlock(&lock);
    if (block < 0) break;
    fn(context, block);
    pthread_mutex_lock(&lock);
    task.finished++;
    pthread_mutex_unlock(&lock);
  }
  pthread_mutex_lock(&lock);
  tasks[slot] = NULL;
  // Sleep, not spin, while a helper finishes its block: the helper may need this very core.
  while (task.finished < task.blocks) pthread_cond_wait(&done, &lock);
  pthread_mutex_unlock(&lock);
}

void share_idle(int delta) {
  pthread_mutex_lock(&lock);
  if (lending < 0) {
    const char *setting = getenv("LOCALBP_LEND_CORES");
    lending = !(setting != NULL && strcmp(setting, "0") == 0);
  }
  if (!lending) {
    pthread_mutex_unlock(&lock);
    return;
  }
  idle_stages += delta;
  if (idle_stages < 0) idle_stages = 0;
  while (helpers < idle_stages && helpers < MAX_HELPERS) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&thread, &attr, helper_main, NULL) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    helpers++;
  }
  if (idle_stages > helping && claimable() != NULL) pthread_cond_broadcast(&work);
  pthread_mutex_unlock(&lock);
}

long long share_helped_blocks(void) {
  pthread_mutex_lock(&lock);
  const long long n = helped;
  pthread_mutex_unlock(&lock);
  return n;
}
