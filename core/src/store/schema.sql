-- Faro's database schema at version 10, as the migrations in schema.rs leave it, in one
-- place to read. It is documentation, not code: databases are built and upgraded only by
-- the migrations. The test `schema_sql_is_what_the_migrations_build` (schema.rs) replays
-- every migration on an empty database, runs this file on another, and compares their
-- sqlite_master (each statement with comments and spacing normalized) and the FTS5
-- settings, so this file cannot drift: a new migration must update it.
--
-- Records are kept as JSON (`record`), exactly as validated; every other column and table
-- is copied or derived from them so that queries never parse JSON. The derived indexes are
-- rebuilt from the records by `store::index` when a migration asks for it.

PRAGMA user_version = 11;

-- Store-wide settings and flags (`reindex` while a rebuild is pending, sync clocks, pins).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- Every dataset held, local (unverified import) or synced.
CREATE TABLE datasets (
    name         TEXT PRIMARY KEY,
    source_name  TEXT,
    source_url   TEXT,
    license      TEXT,
    source_date  TEXT,
    demo         INTEGER NOT NULL DEFAULT 0,
    imported_at  TEXT NOT NULL
);

-- ---------------------------------------------------------------------------------------
-- Directory listings
-- ---------------------------------------------------------------------------------------

-- One narrow row per listing: the filter columns, copied out of the record so that
-- queries never parse JSON and candidate lookups touch few pages.
CREATE TABLE listings (
    rowid            INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    dataset          TEXT NOT NULL REFERENCES datasets(name),
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    lat              REAL,
    lon              REAL,
    country          TEXT,
    represents       TEXT,
    cost             TEXT,
    papers_required  INTEGER,
    opening_hours    TEXT,
    timezone         TEXT,
    demo             INTEGER NOT NULL,
    -- ' lang:es service:food serves:women ': a space before and after every tag, so that
    -- a filter is instr(tags, ' service:food ').
    tags             TEXT NOT NULL DEFAULT '',
    -- Morton code of the quantized latitude and longitude; NULL without a location.
    geocell          INTEGER
);
CREATE INDEX listings_by_kind ON listings(kind, status);
CREATE INDEX listings_by_represents ON listings(represents) WHERE represents IS NOT NULL;
CREATE INDEX listings_by_country ON listings(country, kind);
-- Covering: a box is read from the index alone, its edges checked there.
CREATE INDEX listings_by_geocell ON listings(geocell, lat, lon) WHERE geocell IS NOT NULL;

-- The full record (JSON), read only for the hits a query returns.
CREATE TABLE listing_records (
    listing  INTEGER PRIMARY KEY REFERENCES listings(rowid) ON DELETE CASCADE,
    record   TEXT NOT NULL
);

-- Contentless: the text lives in the records; the index only answers MATCH.
-- remove_diacritics 2 folds accents ('juridica' finds 'Jurídica'); 3-character prefixes
-- make search-as-you-type fast.
CREATE VIRTUAL TABLE listings_fts USING fts5(
    name, organization, description, services, place,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);
-- Merge 16 segments of a level at a time: a large import rewrites its index fewer times.
INSERT INTO listings_fts(listings_fts, rank) VALUES ('automerge', 16);
INSERT INTO listings_fts(listings_fts, rank) VALUES ('crisismerge', 64);

-- Contacts of listings, derived like the other listing indexes. `official`: the listing
-- is verified and active. `detail`: a link's path, a handle's network.
CREATE TABLE listing_contacts (
    key       TEXT NOT NULL,
    listing   INTEGER NOT NULL REFERENCES listings(rowid) ON DELETE CASCADE,
    official  INTEGER NOT NULL,
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX listing_contacts_by_key ON listing_contacts(key, official);
CREATE INDEX listing_contacts_by_listing ON listing_contacts(listing);

-- Derived from listing_contacts (see contact::names): one row per official web, e-mail or
-- handle key, with what a lookalike is compared by. family: 'host' (web sites, e-mail
-- domains) or 'handle'; host: empty for handles; name: the host's registrable label, or
-- the handle; plain: its skeleton without digit tricks and separators.
CREATE TABLE official_names (
    key     TEXT PRIMARY KEY,
    family  TEXT NOT NULL,
    host    TEXT NOT NULL,
    name    TEXT NOT NULL,
    plain   TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX official_names_by_host ON official_names(family, host);
CREATE INDEX official_names_by_name ON official_names(family, name);
CREATE INDEX official_names_by_plain ON official_names(family, plain);

-- Each name cut into one more part than the edits allowed at its length (its shown form,
-- in characters): candidates for small edits are found by an intact part.
CREATE TABLE official_name_parts (
    family  TEXT NOT NULL,
    length  INTEGER NOT NULL,
    part    INTEGER NOT NULL,
    text    TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (family, length, part, text, name)
) WITHOUT ROWID;

-- ---------------------------------------------------------------------------------------
-- Trusted sync
-- ---------------------------------------------------------------------------------------

-- One row per dataset received through a verified sync or bundle: what version is here,
-- the signed facts about it, and whether it could be confirmed as current.
CREATE TABLE sync_datasets (
    name               TEXT PRIMARY KEY,
    content            TEXT NOT NULL,
    version            INTEGER NOT NULL,
    records            INTEGER NOT NULL,
    state_hash         TEXT NOT NULL,
    publisher          TEXT,
    published_at       TEXT,
    applied_at         TEXT NOT NULL,
    route              TEXT NOT NULL,
    unconfirmed_since  TEXT
);

-- The regions (datasets) the person chose; nothing else is downloaded.
CREATE TABLE subscriptions (dataset TEXT PRIMARY KEY, added_at TEXT NOT NULL);

-- Trusted TUF metadata, by role ('root', 'timestamp', 'snapshot', 'targets', delegated
-- roles), exactly as received and verified.
CREATE TABLE tuf_metadata (role TEXT PRIMARY KEY, bytes BLOB NOT NULL);

-- Every root version verified, so a bundle can carry the chain to older phones.
CREATE TABLE tuf_roots (version INTEGER PRIMARY KEY, bytes BLOB NOT NULL);

-- ---------------------------------------------------------------------------------------
-- Rights articles
-- ---------------------------------------------------------------------------------------

-- The record (JSON) plus what queries filter on.
CREATE TABLE articles (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    dataset      TEXT NOT NULL,
    reviewed_on  TEXT NOT NULL,
    demo         INTEGER NOT NULL,
    record       TEXT NOT NULL
);
-- A dataset's records in id order, for the state hash after every sync.
CREATE INDEX articles_by_dataset_id ON articles(dataset, id);

-- 'topic:asylum_refuge', 'country:MX', 'country:all'.
CREATE TABLE article_tags (
    tag      TEXT NOT NULL,
    article  INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (tag, article)
) WITHOUT ROWID;
CREATE INDEX article_tags_by_article ON article_tags(article);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, body, refs, services,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

-- ---------------------------------------------------------------------------------------
-- Warnings about smugglers and traffickers
-- ---------------------------------------------------------------------------------------

-- Validity as Unix seconds, so that 'active at' is two comparisons.
CREATE TABLE warnings (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    dataset      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    withdrawn    INTEGER NOT NULL,
    valid_from   INTEGER NOT NULL,
    valid_until  INTEGER,
    demo         INTEGER NOT NULL,
    record       TEXT NOT NULL
);
CREATE INDEX warnings_by_kind ON warnings(kind);
-- A dataset's records in id order, for the state hash after every sync.
CREATE INDEX warnings_by_dataset_id ON warnings(dataset, id);

CREATE TABLE warning_countries (
    country  TEXT NOT NULL,
    warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE,
    PRIMARY KEY (country, warning)
) WITHOUT ROWID;
CREATE INDEX warning_countries_by_warning ON warning_countries(warning);

-- Bounding boxes of circles and polygons; a circle across the antimeridian has two.
CREATE VIRTUAL TABLE warnings_geo USING rtree(id, min_lat, max_lat, min_lon, max_lon);
CREATE TABLE warning_boxes (
    box      INTEGER PRIMARY KEY,
    warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE
);
CREATE INDEX warning_boxes_by_warning ON warning_boxes(warning);

-- Normalized indicators ('tel:+1...', 'web:host', 'mail:a@b', 'handle:name').
CREATE TABLE warning_indicators (
    key      TEXT NOT NULL,
    warning  INTEGER NOT NULL REFERENCES warnings(rowid) ON DELETE CASCADE,
    PRIMARY KEY (key, warning)
) WITHOUT ROWID;
CREATE INDEX warning_indicators_by_warning ON warning_indicators(warning);

-- ---------------------------------------------------------------------------------------
-- Reports from the field, sealed to the publisher (schema step 11)
-- ---------------------------------------------------------------------------------------

-- envelope: ciphertext this phone cannot read, NULL once the receiver has it.
CREATE TABLE report_outbox (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    sub_kind         TEXT,
    listing          TEXT,
    created          TEXT NOT NULL,
    status           TEXT NOT NULL
        CHECK (status IN ('queued', 'sending', 'sent', 'refused', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_try         TEXT,
    key_id           TEXT NOT NULL,
    envelope         BLOB,
    last_error       TEXT,
    sent             TEXT
);
CREATE INDEX report_outbox_by_status ON report_outbox(status, id);
