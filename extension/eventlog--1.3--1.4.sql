-- eventlog 1.3 -> 1.4

\echo Use "ALTER EXTENSION eventlog UPDATE TO '1.4'" to load this file. \quit
