/*
 * The floor of the benchmark: the same statements as the Python workers,
 * over libpq alone, touching every value (length and first byte), building
 * no objects.  What libpq plus the server cost; every driver is measured
 * against it (see BENCH.md).  Built by bench/run.py:
 *
 *   gcc -O2 -I$(pg_config --includedir) floor.c -L$(pg_config --libdir) -lpq
 *
 *   floor --dsn DSN --workload W [--seconds S] [--cpu N] [--pin-backend] [--rows N]
 *   floor --dsn DSN --exec SQL [--exec SQL ...]      (setup, one statement each;
 *                                                    prints the first value of rows)
 *
 * Prints one line "BENCH-RESULT {json}" like the Python workers
 * (bench/common.py, whose constants this file mirrors).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <libpq-fe.h>

#define PG_TYPE_SQL \
    "select typname, typnamespace, typowner, typlen, typbyval, typcategory, " \
    "typispreferred, typisdefined, typdelim, typrelid, typelem, typarray " \
    "from pg_type where typtypmod = -1 and typisdefined = true"
#define GEN_SERIES_SQL "SELECT i FROM generate_series(1, 1000) AS i"
#define LARGE_OBJECT_SQL "SELECT * FROM bench_lo"
#define ARRAYS_SQL "SELECT * FROM bench_arrays"
#define ONEPLUSONE_SQL "SELECT 1+1"
#define COPY_SQL "COPY bench_copy (a, b, c, d, e, f, g) FROM STDIN"
#define COPY_LINE "10\t11\t10\tTESTTESTTEST\t10.333\t12341234\t123412341234\n"
#define COPY_ROWS 10000
#define COPY_CHUNK 8192
#define BATCH_SQL "INSERT INTO bench_batch (a, b, c, d, e, f, g) VALUES ($1, $2, $3, $4, $5, $6, $7)"
#define BATCH_ROWS 1000
#define BIG_COLUMNS "a, b, c, d, e, f, g, h"
#define STREAM_ITERSIZE 10000

static const char *batch_values[7] = {
    "10", "11", "10", "TESTTESTTEST", "10.333", "12341234", "123412341234"};

static PGconn *conn;
static const char *dsn;
static char big_sql[256];
static char *copy_data;
static size_t copy_len;
static volatile unsigned long sink;

static void
die(const char *what)
{
    fprintf(stderr, "floor: %s: %s\n", what, conn ? PQerrorMessage(conn) : "");
    exit(1);
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long
touch(const PGresult *r)
{
    int nr = PQntuples(r), nc = PQnfields(r);
    unsigned long s = 0;
    for (int i = 0; i < nr; i++)
        for (int j = 0; j < nc; j++) {
            if (PQgetisnull(r, i, j))
                continue;
            const char *v = PQgetvalue(r, i, j);
            s += (unsigned long)PQgetlength(r, i, j) + (unsigned char)v[0];
        }
    sink += s;
    return nr;
}

static PGresult *
exec_ok(const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != want) {
        fprintf(stderr, "floor: %s: %s", sql, PQresultErrorMessage(r));
        exit(1);
    }
    return r;
}

static long
query(const char *sql)
{
    PGresult *r = exec_ok(sql, PGRES_TUPLES_OK);
    long n = touch(r);
    PQclear(r);
    return n;
}

static long op_pg_type(void) { return query(PG_TYPE_SQL); }
static long op_gen_series(void) { return query(GEN_SERIES_SQL); }
static long op_large_object(void) { return query(LARGE_OBJECT_SQL); }
static long op_arrays(void) { return query(ARRAYS_SQL); }
static long op_oneplusone(void) { return query(ONEPLUSONE_SQL); }
static long op_bigfetch(void) { return query(big_sql); }

static long
op_copyfrom(void)
{
    PQclear(exec_ok(COPY_SQL, PGRES_COPY_IN));
    for (size_t off = 0; off < copy_len; off += COPY_CHUNK) {
        size_t n = copy_len - off < COPY_CHUNK ? copy_len - off : COPY_CHUNK;
        if (PQputCopyData(conn, copy_data + off, (int)n) != 1)
            die("PQputCopyData");
    }
    if (PQputCopyEnd(conn, NULL) != 1)
        die("PQputCopyEnd");
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("COPY");
        PQclear(r);
    }
    return COPY_ROWS;
}

/* Pipeline mode: send every INSERT, one Sync, then read the results.  The
 * INSERT is prepared once per connection (untimed, like the statement caches
 * of asyncpg and psycopg 3), so the floor pays no parse/plan per row.  The
 * replies (about 20 bytes each) fit in the socket buffers, so blocking mode
 * cannot deadlock here. */
static long
op_batch(void)
{
    if (PQenterPipelineMode(conn) != 1)
        die("PQenterPipelineMode");
    for (int i = 0; i < BATCH_ROWS; i++)
        if (PQsendQueryPrepared(conn, "bench_insert", 7, batch_values, NULL, NULL, 0) != 1)
            die("PQsendQueryPrepared");
    if (PQpipelineSync(conn) != 1)
        die("PQpipelineSync");
    for (int i = 0; i < BATCH_ROWS; i++) {
        PGresult *r = PQgetResult(conn);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("INSERT");
        PQclear(r);
        if ((r = PQgetResult(conn)) != NULL)
            die("expected end of INSERT results");
    }
    PGresult *r = PQgetResult(conn);
    if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
        die("expected PIPELINE_SYNC");
    PQclear(r);
    if (PQexitPipelineMode(conn) != 1)
        die("PQexitPipelineMode");
    return BATCH_ROWS;
}

static long
op_connect(void)
{
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "floor: connect: %s", PQerrorMessage(c));
        exit(1);
    }
    PQfinish(c);
    return 0;
}

static long
op_stream(void)
{
    char sql[512];
    long n = 0, k;
    PQclear(exec_ok("BEGIN", PGRES_COMMAND_OK));
    snprintf(sql, sizeof sql, "DECLARE bench_stream CURSOR WITHOUT HOLD FOR %s", big_sql);
    PQclear(exec_ok(sql, PGRES_COMMAND_OK));
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM bench_stream", STREAM_ITERSIZE);
    do {
        k = query(sql);
        n += k;
    } while (k > 0);
    PQclear(exec_ok("CLOSE bench_stream", PGRES_COMMAND_OK));
    PQclear(exec_ok("COMMIT", PGRES_COMMAND_OK));
    return n;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long
rss_now_kb(void)
{
    long size, resident;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long
peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int
main(int argc, char **argv)
{
    const char *workload = NULL;
    double seconds = 2.0;
    int cpu = -1, pin_backend = 0, nexec = 0;
    long rows = 1000000;
    const char **execs = calloc(argc, sizeof(char *));

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--pin-backend")) { pin_backend = 1; continue; }
        if (!v) { fprintf(stderr, "floor: %s needs a value\n", a); return 2; }
        i++;
        if (!strcmp(a, "--dsn")) dsn = v;
        else if (!strcmp(a, "--workload")) workload = v;
        else if (!strcmp(a, "--seconds")) seconds = atof(v);
        else if (!strcmp(a, "--cpu")) cpu = atoi(v);
        else if (!strcmp(a, "--rows")) rows = atol(v);
        else if (!strcmp(a, "--exec")) execs[nexec++] = v;
        else if (!strcmp(a, "--label")) ;
        else { fprintf(stderr, "floor: unknown option %s\n", a); return 2; }
    }
    if (!dsn || (!workload && !nexec)) {
        fprintf(stderr, "usage: floor --dsn DSN (--workload W | --exec SQL...)\n");
        return 2;
    }

    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            perror("floor: sched_setaffinity");
    }

    conn = PQconnectdb(dsn);
    if (PQstatus(conn) != CONNECTION_OK)
        die("connect");

    if (nexec) {
        for (int i = 0; i < nexec; i++) {
            PGresult *r = PQexec(conn, execs[i]);
            ExecStatusType st = PQresultStatus(r);
            if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                fprintf(stderr, "floor: %s: %s", execs[i], PQresultErrorMessage(r));
                return 1;
            }
            if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0)
                printf("%s\n", PQgetvalue(r, 0, 0));
            PQclear(r);
        }
        PQfinish(conn);
        return 0;
    }

    int pinned = 0;
    if (cpu >= 0 && pin_backend) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "taskset -p -c %d %d >/dev/null 2>&1", cpu, PQbackendPID(conn));
        pinned = system(cmd) == 0;
    }

    snprintf(big_sql, sizeof big_sql, "SELECT %s FROM bench_big LIMIT %ld", BIG_COLUMNS, rows);
    copy_len = strlen(COPY_LINE) * COPY_ROWS;
    copy_data = malloc(copy_len + 1);
    for (int i = 0; i < COPY_ROWS; i++)
        memcpy(copy_data + i * strlen(COPY_LINE), COPY_LINE, strlen(COPY_LINE));

    long (*op)(void) = NULL;
    int single = 0;
    if (!strcmp(workload, "pg_type") || !strcmp(workload, "pg_type_dict")) op = op_pg_type;
    else if (!strcmp(workload, "generate_series")) op = op_gen_series;
    else if (!strcmp(workload, "large_object")) op = op_large_object;
    else if (!strcmp(workload, "arrays")) op = op_arrays;
    else if (!strcmp(workload, "oneplusone")) op = op_oneplusone;
    else if (!strcmp(workload, "copyfrom")) {
        PQclear(exec_ok("TRUNCATE bench_copy", PGRES_COMMAND_OK));
        op = op_copyfrom;
    }
    else if (!strcmp(workload, "batch")) {
        PQclear(exec_ok("TRUNCATE bench_batch", PGRES_COMMAND_OK));
        PGresult *r = PQprepare(conn, "bench_insert", BATCH_SQL, 7, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("PQprepare");
        PQclear(r);
        op = op_batch;
    }
    else if (!strcmp(workload, "connect")) { PQfinish(conn); conn = NULL; op = op_connect; }
    else if (!strcmp(workload, "bigfetch")) { op = op_bigfetch; single = 1; }
    else if (!strcmp(workload, "stream") || !strcmp(workload, "stream_small")) {
        op = op_stream; single = 1;
    }
    else { fprintf(stderr, "floor: unknown workload %s\n", workload); return 2; }

    if (single) {
        long base = rss_now_kb();
        double t0 = now();
        long n = op();
        double t = now() - t0;
        printf("BENCH-RESULT {\"n\": 1, \"median\": %.9g, \"min\": %.9g, \"max\": %.9g, "
               "\"mean\": %.9g, \"rows\": %ld, \"base_rss_kb\": %ld, \"peak_rss_kb\": %ld, "
               "\"backend_pinned\": %s, \"libpq\": %d}\n",
               t, t, t, t, n, base, peak_rss_kb(), pinned ? "true" : "false", PQlibVersion());
        return 0;
    }

    /* warm up, then run until `seconds` have elapsed (at least 3 times) */
    double warm = seconds * 0.25 > 0.02 ? seconds * 0.25 : 0.02;
    double end = now() + warm;
    for (int k = 0; k < 2 || now() < end; k++)
        op();
    size_t cap = 1024, n = 0;
    double *times = malloc(cap * sizeof(double));
    double start = now();
    for (;;) {
        double t0 = now();
        op();
        double t1 = now();
        if (n == cap)
            times = realloc(times, (cap *= 2) * sizeof(double));
        times[n++] = t1 - t0;
        if (t1 - start >= seconds && n >= 3)
            break;
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += times[i];
    qsort(times, n, sizeof(double), cmp_double);
    double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    printf("BENCH-RESULT {\"n\": %zu, \"median\": %.9g, \"min\": %.9g, \"max\": %.9g, "
           "\"mean\": %.9g, \"backend_pinned\": %s, \"libpq\": %d}\n",
           n, median, times[0], times[n - 1], sum / n, pinned ? "true" : "false", PQlibVersion());
    if (conn)
        PQfinish(conn);
    return 0;
}
