-- The schema `restsql serve` presents for the test model of test/support/serve.ts (wireModel),
-- written by hand from that model and the catalog design (issue 14), not from restsql's code:
-- the oracle PostgreSQL 15 of test/e2e/catalog-corpus.test.ts holds it, and every catalog query of
-- the corpus must return the same rows from restsql serve as from it.
--
-- The model (as `restsql describe` prints it):
--   types  id INTEGER #key, big BIGINT, amount DOUBLE, ok BOOLEAN, created TIMESTAMP, day DATE,
--          uid UUID, label VARCHAR, note JSON
--   items  id INTEGER #key, name VARCHAR, region VARCHAR, price DOUBLE, address_city VARCHAR,
--          address_zip VARCHAR (the nested `address` object, flattened)
--   tags   items_id INTEGER (the parent's key), position INTEGER, tags VARCHAR: the child table of
--          the `tags` array inside each item, keyed by (items_id, position)
--   slow   id INTEGER #key, v VARCHAR
--   big    id INTEGER #key, name VARCHAR, score DOUBLE, active BOOLEAN, created TIMESTAMP
-- and restsql's info tables _configuration (configuration, content VARCHAR), sampling_status (name,
-- uri VARCHAR, success BOOLEAN, http_status INTEGER, message, key_candidates VARCHAR) and
-- system_sampling_status (endpoint_name, message, sample_uri VARCHAR, success BOOLEAN, http_status
-- INTEGER, primary_key_candidates VARCHAR: DataDirect's columns, issue 15), without keys.
--
-- Types: INTEGER int4, BIGINT int8, DOUBLE float8, BOOLEAN bool, TIMESTAMP timestamp (without
-- time zone), DATE date, UUID uuid, VARCHAR varchar without a length, JSON json. #key columns are
-- the PRIMARY KEY (<table>_pkey) and NOT NULL; the child table's copy of its parent's key is a
-- FOREIGN KEY to the parent's primary key (<table>_<column>_fkey). Tables in creation order (parents
-- before children, the model's order). Everything is owned by the role restsql; SELECT is granted
-- to PUBLIC.
--
-- Run by the superuser in the database the clients connect to (`restsql`); the role restsql is
-- made here, the login role of the test (`tester`) and the database by the test.

CREATE ROLE restsql NOLOGIN;

CREATE TABLE public.types (
  id integer NOT NULL,
  big bigint,
  amount double precision,
  ok boolean,
  created timestamp without time zone,
  day date,
  uid uuid,
  label character varying,
  note json,
  CONSTRAINT types_pkey PRIMARY KEY (id)
);

CREATE TABLE public.items (
  id integer NOT NULL,
  name character varying,
  region character varying,
  price double precision,
  address_city character varying,
  address_zip character varying,
  CONSTRAINT items_pkey PRIMARY KEY (id)
);

CREATE TABLE public.tags (
  items_id integer NOT NULL,
  "position" integer NOT NULL,
  tags character varying,
  CONSTRAINT tags_pkey PRIMARY KEY (items_id, "position"),
  CONSTRAINT tags_items_id_fkey FOREIGN KEY (items_id) REFERENCES public.items (id)
);

CREATE TABLE public.slow (
  id integer NOT NULL,
  v character varying,
  CONSTRAINT slow_pkey PRIMARY KEY (id)
);

CREATE TABLE public.big (
  id integer NOT NULL,
  name character varying,
  score double precision,
  active boolean,
  created timestamp without time zone,
  CONSTRAINT big_pkey PRIMARY KEY (id)
);

CREATE SCHEMA restsql AUTHORIZATION restsql;
GRANT USAGE ON SCHEMA restsql TO PUBLIC;

CREATE TABLE restsql._configuration (
  configuration character varying,
  content character varying
);

CREATE TABLE restsql.sampling_status (
  name character varying,
  uri character varying,
  success boolean,
  http_status integer,
  message character varying,
  key_candidates character varying
);

CREATE TABLE restsql.system_sampling_status (
  endpoint_name character varying,
  message character varying,
  sample_uri character varying,
  success boolean,
  http_status integer,
  primary_key_candidates character varying
);

-- Made by the superuser and given to restsql (PostgreSQL 15 grants no CREATE on schema public,
-- and giving restsql that right would change public's ACL, which \dn+ and clients read).
ALTER TABLE public.types OWNER TO restsql;
ALTER TABLE public.items OWNER TO restsql;
ALTER TABLE public.tags OWNER TO restsql;
ALTER TABLE public.slow OWNER TO restsql;
ALTER TABLE public.big OWNER TO restsql;
ALTER TABLE restsql._configuration OWNER TO restsql;
ALTER TABLE restsql.sampling_status OWNER TO restsql;
ALTER TABLE restsql.system_sampling_status OWNER TO restsql;

GRANT SELECT ON public.types, public.items, public.tags, public.slow, public.big, restsql._configuration, restsql.sampling_status, restsql.system_sampling_status TO PUBLIC;
