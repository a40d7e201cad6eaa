-- The benchmarks' row-like table (bench/track_bench.sh, bench/capture_bench.sh):
-- psql variables table (its name) and rows (how many rows, ids 1..rows).
CREATE TABLE :"table" (
    id         int PRIMARY KEY,
    n1         int NOT NULL,
    n2         int,
    n3         int,
    t1         text NOT NULL,
    t2         text,
    t3         text,
    amount     numeric(12, 2),
    updated_at timestamptz NOT NULL DEFAULT now(),
    active     boolean);
INSERT INTO :"table"
SELECT i, i, (i * 7) % 1000, i % 13,
       'customer ' || i, md5(i::text), (ARRAY['active', 'inactive', 'pending'])[1 + i % 3],
       round((i % 100000) * 1.37, 2), timestamptz '2024-01-01' + i * interval '1 minute', i % 2 = 0
FROM generate_series(1, :rows) AS i;
