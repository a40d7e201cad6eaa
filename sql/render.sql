-- eventlog_render: the template rules of the contract.
-- The extension, when this file runs on its own (make installcheck REGRESS=...).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS eventlog;
RESET client_min_messages;

-- The first __ part is a readable prefix; the rest is an attribute path.
SELECT eventlog_render('Item {item__name} was updated.', '{"item__name": {"id": 1, "name": "Cert A"}}');
SELECT eventlog_render('{user__profile__city}', '{"user__profile__city": {"profile": {"city": "Oslo"}}}');
-- A key with no __ renders the whole value.
SELECT eventlog_render('{actor}', '{"actor": "John Doe"}');
SELECT eventlog_render('{item}', '{"item": {"id": 1, "name": "Cert A"}}');
-- A scalar value renders itself, whatever the path.
SELECT eventlog_render('{item__name}', '{"item__name": "Cert A"}');
SELECT eventlog_render('{count__total}', '{"count__total": 42}');
-- Strings without quotes; numbers (exact) and booleans as JSON text; null as ''.
SELECT eventlog_render('[{s}] [{n}] [{big}] [{d}] [{t}] [{f}] [{z}]',
       '{"s": "text \"quoted\"", "n": -7, "big": 123456789012345678901234567890.000, "d": 1.50, "t": true, "f": false, "z": null}');
-- Arrays and objects as a whole, as JSON text.
SELECT eventlog_render('{a} {o}', '{"a": [1, "x", null], "o": {"k": [1]}}');
SELECT eventlog_render('{p__list}', '{"p__list": {"list": [1, 2]}}');
-- Null found along the path renders ''.
SELECT eventlog_render('<{p__x}>', '{"p__x": {"x": null}}');
-- {{ and }} are literal braces.
SELECT eventlog_render('{{literal}} {{{a}}} }}{{', '{"a": 1}');
-- No placeholders: values may be NULL; a NULL template gives NULL.
SELECT eventlog_render('plain text', NULL);
SELECT eventlog_render('', '{}');
SELECT eventlog_render(NULL, '{}') IS NULL AS null_template;
-- Unicode keys and values; repeated placeholders.
SELECT eventlog_render('«{имя}» {имя}', '{"имя": "Žofie"}');

-- Errors: SQLSTATE 22023, naming the placeholder.
SELECT eventlog_render('{missing}', '{"a": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{item__name}', '{"item__name": {"id": 1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{item__name__first}', '{"item__name__first": {"name": "x"}}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{item__name}', '{"item__name": [1, 2]}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{a}', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('Item {item__name', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('Item item__name}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{a{b}}', '{"a": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{a}', '[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT eventlog_render('{a}', '"a"');
\echo :LAST_ERROR_SQLSTATE

-- Many placeholders.
SELECT length(eventlog_render(repeat('{a}', 5000), '{"a": "xy"}')) AS rendered_length;

-- Error messages quote long input cut short, never in the middle of a
-- character: the message stays valid UTF-8 (convert_from checks it) whatever
-- byte the cut falls on.
CREATE FUNCTION pg_temp.error_text(template text, values_json jsonb) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM eventlog_render(template, values_json);
    RETURN 'no error';
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN octet_length(SQLERRM) || ' bytes, valid: ' || (convert_from(textsend(SQLERRM), 'UTF8') = SQLERRM);
END
$$;
-- The unbalanced-brace excerpt (60 bytes): cuts at every offset into a 2-, 3- and 4-byte character.
SELECT n, pg_temp.error_text('{' || repeat('a', n) || 'é€😀 and more text after it', '{}') AS unbalanced
FROM generate_series(55, 60) AS n;
-- A message longer than the guard keeps (1,023 bytes), cut on either parity.
SELECT pad, pg_temp.error_text('{' || repeat('x', pad) || repeat('é', 700) || '}', '{}') AS missing_placeholder
FROM generate_series(0, 1) AS pad;
