//! Spreadsheets kept by field teams (CSV, and XLSX/ODS with the `sheets` feature) read into
//! listings: one row per place, columns found by their header (`docs/spreadsheet-template.md`).
//!
//! Headers are matched without regard to case, accents, spaces or punctuation, in English,
//! Spanish, French and Portuguese (`Nombre (es)`, `name_es` and `Nom ES` are one column). A
//! column the template does not know is an error, not dropped silently; columns whose header
//! starts with `#` or is a notes column (`notes`, `notas`, `remarques`, `comments`) are the
//! team's own and are left out on purpose.
//!
//! Every problem of every row is reported at once, each located by file, sheet, row and
//! column (`clinics.xlsx[Clinics]:7: record demo:x: field K hours: ...`): the shape checks,
//! the opening hours and the plausibility checks (`model::plausible`) of a JSON Lines import
//! run here, so that a row's problem names its column rather than a JSON path. Nothing is
//! returned if any row is bad.
//!
//! Hours are taken as OpenStreetMap `opening_hours` when they read as such, else converted
//! from the simple form `Mon-Fri 9-17; Sat 9-13` in en, es, fr, pt or ht ([`simple_hours`]);
//! what neither reads is refused, never guessed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::convert::Converted;
use crate::contact::normalize;
use crate::country::CountryCode;
use crate::error::{Error, InputError, Result};
use crate::lang::LangTag;
use crate::model::plausible::check_plausible;
use crate::model::validate::{check_listing, FieldProblem};
use crate::model::{
    Address, Audience, Cost, Eligibility, Kind, Listing, Location, Phone, PhoneKind, ServiceCode, Source, Status,
    Verification,
};
use crate::store::DatasetInfo;

/// The kinds of spreadsheet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    /// Comma-, semicolon- or tab-separated text, UTF-8, one header row.
    Csv,
    /// Office Open XML workbook (Excel, LibreOffice); needs the `sheets` feature.
    Xlsx,
    /// OpenDocument spreadsheet (LibreOffice); needs the `sheets` feature.
    Ods,
}

impl SheetFormat {
    /// The format a file name's extension says (`.csv`, `.xlsx`, `.ods`), if any.
    pub fn from_path(path: &Path) -> Option<SheetFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" | "tsv" => Some(SheetFormat::Csv),
            "xlsx" => Some(SheetFormat::Xlsx),
            "ods" => Some(SheetFormat::Ods),
            _ => None,
        }
    }
}

/// How a sheet is read.
#[derive(Debug, Clone, Default)]
pub struct SheetOptions {
    /// The sheet of a workbook to read; the first when `None`. Ignored for CSV.
    pub sheet: Option<String>,
    /// The dataset the listings form; `local/<file name>` when `None`.
    pub dataset: Option<String>,
}

/// Reads the spreadsheet at `path` (see the module docs) into listings.
///
/// A problem anywhere is an [`Error::Input`] or [`Error::InputMany`] naming every problem
/// of every row, and nothing is returned.
pub fn read_sheet(path: &Path, format: SheetFormat, options: &SheetOptions) -> Result<Converted> {
    let file = path.display().to_string();
    let (grid, sheet) = match format {
        SheetFormat::Csv if options.sheet.is_some() => {
            return Err(Error::Input(InputError::new(&file, "is a CSV file, which has no sheets: leave out --sheet")));
        }
        SheetFormat::Csv => {
            let f = std::fs::File::open(path)
                .map_err(|e| Error::Input(InputError::new(&file, format!("cannot open the file: {e}"))))?;
            (read_csv_grid(f, &file)?, None)
        }
        SheetFormat::Xlsx | SheetFormat::Ods => {
            let (grid, name) = workbook::read(path, &file, options.sheet.as_deref())?;
            (grid, Some(name))
        }
    };
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("sheet");
    convert_grid(&grid, &file, sheet.as_deref(), stem, options)
}

/// Reads a CSV spreadsheet from `reader` (`file` names it in messages, `stem` makes the
/// default dataset name) into listings, as [`read_sheet`] does.
pub fn read_csv_sheet(reader: impl Read, file: &str, stem: &str, options: &SheetOptions) -> Result<Converted> {
    let grid = read_csv_grid(reader, file)?;
    convert_grid(&grid, file, None, stem, options)
}

/// True when `first_line` (a CSV file's header row) is the Wikidata missions header: the
/// spreadsheet reader leaves such files to [`super::missions`].
pub fn is_missions_header(first_line: &str) -> bool {
    let cols: HashSet<&str> = first_line.trim_start_matches('\u{feff}').split(';').map(str::trim).collect();
    super::missions::REQUIRED.iter().all(|c| cols.contains(c))
}

/// A cell as text, with where it is. Rows are 1-based spreadsheet rows.
#[derive(Debug, Clone, Default)]
struct Grid {
    /// The header row's number and cells.
    header_row: u64,
    header: Vec<String>,
    /// The first column's index (0 for A): workbooks may start further right.
    first_col: usize,
    /// Data rows: spreadsheet row number and cells.
    rows: Vec<(u64, Vec<Cell>)>,
}

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    /// Text, or a number written as the spreadsheet shows it.
    Text(String),
    /// A date cell of a workbook.
    #[cfg_attr(not(feature = "sheets"), allow(dead_code))]
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.trim().to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

fn read_csv_grid(mut reader: impl Read, file: &str) -> Result<Grid> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| Error::Input(InputError::new(file, format!("cannot read: {e}"))))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        Error::Input(InputError::new(
            file,
            format!("not UTF-8 at byte {}: save the sheet as \"CSV UTF-8\"", e.valid_up_to()),
        ))
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    // Spreadsheets in Spanish, French and Portuguese locales save CSV with ';'.
    let delimiter =
        [b'\t', b';', b','].into_iter().max_by_key(|d| first.bytes().filter(|b| b == d).count()).unwrap_or(b',');
    let mut csv =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(text.as_bytes());
    let mut grid = Grid::default();
    let (mut counted_to, mut newlines) = (0usize, 0u64);
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(csv::Position::line);
            let mut err = InputError::new(file, format!("not readable as CSV: {e}"));
            err.line = line;
            Error::Input(err)
        })?;
        // The line from the byte offset: the csv crate does not count blank lines.
        let mut byte = record.position().map_or(0, |p| p.byte() as usize).min(text.len());
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        // Counted from the previous record on: records come in order, so the file is read once.
        let byte = byte.min(text.len()).max(counted_to);
        newlines += text.as_bytes()[counted_to..byte].iter().filter(|&&b| b == b'\n').count() as u64;
        counted_to = byte;
        let line = 1 + newlines;
        let cells: Vec<Cell> = record.iter().map(|c| Cell::Text(c.to_string())).collect();
        if grid.header.is_empty() {
            if cells.iter().all(|c| c.text().is_empty()) {
                continue;
            }
            grid.header_row = line;
            grid.header = cells.iter().map(Cell::text).collect();
        } else {
            grid.rows.push((line, cells));
        }
    }
    Ok(grid)
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Col {
    Id,
    Kind,
    Services,
    Name(LangTag),
    Organization,
    Description(LangTag),
    Street,
    Locality,
    Region,
    Postcode,
    Country,
    Lat,
    Lon,
    Phones,
    Whatsapp,
    Emails,
    Websites,
    Hours,
    Timezone,
    Languages,
    Free,
    Minors,
    Women,
    Lgbtq,
    Serves,
    NoPapers,
    VerifiedBy,
    VerifiedOn,
    Status,
    SourceName,
    SourceUrl,
    License,
    Demo,
    /// The team's own column, left out on purpose.
    Ignored,
}

/// Header words (normalized: lower case, no accents, `_` between words) for each column.
const ALIASES: &[(&[&str], Col)] = &[
    (&["id", "identificador", "identifiant", "identificacao", "codigo", "code"], Col::Id),
    (&["kind", "tipo", "type", "categoria", "category", "categorie"], Col::Kind),
    (&["services", "servicios", "servicos"], Col::Services),
    (&["organization", "organisation", "organizacion", "organizacao", "org"], Col::Organization),
    (&["street", "address", "calle", "direccion", "rue", "adresse", "rua", "endereco"], Col::Street),
    (&["locality", "city", "ciudad", "localidad", "ville", "cidade", "municipio", "commune"], Col::Locality),
    (&["region", "state", "estado", "departamento", "departement", "province", "provincia"], Col::Region),
    (&["postcode", "postal_code", "zip", "codigo_postal", "code_postal", "cep"], Col::Postcode),
    (&["country", "pais", "pays", "peyi"], Col::Country),
    (&["lat", "latitude", "latitud"], Col::Lat),
    (&["lon", "lng", "long", "longitude", "longitud"], Col::Lon),
    (&["phones", "phone", "telefono", "telefonos", "telephone", "telephones", "telefone", "telefones"], Col::Phones),
    (&["whatsapp"], Col::Whatsapp),
    (&["email", "emails", "e_mail", "correo", "courriel", "correo_electronico"], Col::Emails),
    (&["website", "websites", "web", "sitio_web", "site_web", "site", "url"], Col::Websites),
    (&["hours", "opening_hours", "horario", "horarios", "heures", "horaires", "horario_de_atendimento"], Col::Hours),
    (&["timezone", "time_zone", "zona_horaria", "fuseau_horaire", "fuso_horario"], Col::Timezone),
    (&["languages", "languages_spoken", "idiomas", "langues", "linguas", "lenguas", "lang"], Col::Languages),
    (&["free", "gratis", "gratuito", "gratuit", "gratuita"], Col::Free),
    (&["minors", "serves_minors", "menores", "mineurs", "menores_de_idade"], Col::Minors),
    (&["women", "serves_women", "mujeres", "femmes", "mulheres"], Col::Women),
    (&["lgbtq", "lgbt", "lgbti", "lgbtiq", "serves_lgbtq"], Col::Lgbtq),
    (&["serves", "atiende_a", "publico", "public"], Col::Serves),
    (
        &["no_papers", "no_papers_needed", "sin_papeles", "sin_documentos", "sans_papiers", "sem_documentos"],
        Col::NoPapers,
    ),
    (&["verified_by", "verificado_por", "verifie_par"], Col::VerifiedBy),
    (&["verified_on", "verificado_el", "verifie_le", "verificado_em", "fecha_de_verificacion"], Col::VerifiedOn),
    (&["status", "estado_actual", "statut", "situacao"], Col::Status),
    (&["source", "fuente", "fonte"], Col::SourceName),
    (&["source_url", "url_fuente", "url_source", "url_fonte"], Col::SourceUrl),
    (&["license", "licence", "licencia", "licenca"], Col::License),
    (&["demo"], Col::Demo),
    (&["notes", "notas", "note", "nota", "remarques", "comments", "comentarios", "commentaires"], Col::Ignored),
];

/// Header words for texts per language: `name_es`, `nombre_es`, `nom_fr`, `nome_pt`.
const NAME_WORDS: &[&str] = &["name", "nombre", "nom", "nome", "non"];
const DESCRIPTION_WORDS: &[&str] = &["description", "descripcion", "descricao", "deskripsyon"];

/// `text` lower case, accents removed, runs of anything but letters and digits as one `_`.
fn fold(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// What a header names, or why it names nothing.
fn column_of(header: &str) -> Result<Col, String> {
    if header.trim_start().starts_with('#') {
        return Ok(Col::Ignored);
    }
    let key = fold(header);
    if let Some((_, col)) = ALIASES.iter().find(|(words, _)| words.contains(&key.as_str())) {
        return Ok(col.clone());
    }
    for (words, text) in [(NAME_WORDS, true), (DESCRIPTION_WORDS, false)] {
        for word in words {
            if let Some(lang) = key.strip_prefix(word).and_then(|r| r.strip_prefix('_')) {
                let tag = LangTag::parse(&lang.replace('_', "-"))
                    .map_err(|e| format!("{header:?}: {e}; write the column as {word}_es, {word}_en, ..."))?;
                return Ok(if text { Col::Name(tag) } else { Col::Description(tag) });
            }
        }
    }
    if NAME_WORDS.contains(&key.as_str()) {
        return Err(format!("{header:?}: say the language of the names: name_es, name_en, name_fr, name_ht, name_pt"));
    }
    Err(format!(
        "{header:?} is not a column of the template (docs/spreadsheet-template.md); rename it, or start its \
         header with # to keep it out of the import"
    ))
}

/// The column letters of 0-based index `i`: A, B, ..., Z, AA, ...
fn letters(mut i: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The sheet's columns: which index holds what, and how to name it in messages.
struct Columns {
    of: Vec<Col>,
    label: Vec<String>,
}

impl Columns {
    fn index(&self, col: &Col) -> Option<usize> {
        self.of.iter().position(|c| c == col)
    }

    fn label_of(&self, col: &Col) -> Option<&str> {
        self.index(col).map(|i| self.label[i].as_str())
    }
}

fn convert_grid(grid: &Grid, file: &str, sheet: Option<&str>, stem: &str, options: &SheetOptions) -> Result<Converted> {
    let at = |line: u64| {
        let e = InputError::new(file, String::new()).at_line(line);
        match sheet {
            Some(s) => e.in_sheet(s),
            None => e,
        }
    };
    if grid.header.is_empty() {
        let mut e = at(1);
        e.line = None;
        e.reason = "has no header row: the first row names the columns (docs/spreadsheet-template.md)".into();
        return Err(e.into());
    }
    let mut problems = Vec::new();
    let mut columns = Columns { of: Vec::new(), label: Vec::new() };
    let mut seen: HashMap<Col, String> = HashMap::new();
    for (i, header) in grid.header.iter().enumerate() {
        let label = format!("{} {}", letters(grid.first_col + i), header.trim());
        let col = if header.trim().is_empty() { Ok(Col::Ignored) } else { column_of(header) };
        match col {
            Ok(Col::Ignored) => {}
            Ok(col) => {
                if let Some(first) = seen.get(&col) {
                    problems.push(InputError {
                        field: Some(label.clone()),
                        reason: format!("says the same as column {first}"),
                        ..at(grid.header_row)
                    });
                } else {
                    seen.insert(col.clone(), label.clone());
                }
                columns.of.push(col);
                columns.label.push(label);
                continue;
            }
            Err(reason) => problems.push(InputError { field: Some(label.clone()), reason, ..at(grid.header_row) }),
        }
        columns.of.push(Col::Ignored);
        columns.label.push(label);
    }
    for required in [Col::Id, Col::Kind] {
        if columns.index(&required).is_none() {
            let name = if required == Col::Id { "id" } else { "kind" };
            problems.push(InputError {
                reason: format!("the header has no {name} column (docs/spreadsheet-template.md)"),
                ..at(grid.header_row)
            });
        }
    }
    if !columns.of.iter().any(|c| matches!(c, Col::Name(_))) {
        problems.push(InputError {
            reason: "the header has no name column: name_es, name_en, name_fr, name_ht or name_pt".into(),
            ..at(grid.header_row)
        });
    }
    if columns.index(&Col::Id).is_none() || columns.index(&Col::Kind).is_none() {
        // Rows cannot be told apart without their id and kind: the header's problems first.
        return Err(Error::inputs(problems));
    }

    let mut listings = Vec::new();
    let mut ids: HashMap<String, u64> = HashMap::new();
    let mut hours = crate::hours::HoursCache::new(256);
    for (line, cells) in &grid.rows {
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        let mut row = Row { columns: &columns, cells, problems: Vec::new(), phone_cols: Vec::new() };
        let listing = row.listing();
        let mut located: Vec<InputError> = Vec::new();
        let mut locate = |field: Option<String>, reason: String, record: &Option<String>| {
            let mut e = InputError { field, reason, ..at(*line) };
            e.record = record.clone();
            located.push(e);
        };
        let record = row.text(&Col::Id).map(|(_, id)| id);
        for (col, reason) in std::mem::take(&mut row.problems) {
            locate(col.map(|i| columns.label[i].clone()), reason, &record);
        }
        if let Some(listing) = listing {
            let mut field_problems = check_listing(&listing);
            field_problems.extend(check_plausible(&listing));
            if let Some(expr) = &listing.opening_hours {
                let tz = listing.timezone.as_deref().unwrap_or("UTC");
                if let Err(e) = hours.get(expr, tz, listing.address.as_ref().map(|a| a.country)) {
                    let unknown_zone = matches!(e, crate::hours::HoursError::UnknownTimezone(_));
                    let field = if unknown_zone { "timezone" } else { "opening_hours" };
                    field_problems.push(FieldProblem { field: field.into(), reason: e.to_string() });
                }
            }
            for p in field_problems {
                let field = row.column_for(&p.field).unwrap_or(p.field);
                locate(Some(field), p.reason, &record);
            }
            if let Some(first) = ids.insert(listing.id.clone(), *line) {
                locate(columns.label_of(&Col::Id).map(str::to_string), format!("the same id as row {first}"), &record);
            }
            if located.is_empty() {
                listings.push(listing);
            }
        }
        problems.extend(located);
    }
    if listings.is_empty() && problems.is_empty() {
        let mut e = at(grid.header_row);
        e.reason = "has a header and no rows: nothing to import".into();
        problems.push(e);
    }
    Error::refuse(problems)?;
    let dataset = DatasetInfo {
        name: options.dataset.clone().unwrap_or_else(|| format!("local/{}", dataset_slug(stem))),
        source: common_source(&listings),
        demo: listings.iter().all(|l| l.demo),
    };
    Ok(Converted { dataset, listings, set_aside: Vec::new() })
}

/// The source every listing shares, else `None`.
pub(crate) fn common_source(listings: &[Listing]) -> Option<Source> {
    let first = listings.first()?.source.clone()?;
    listings.iter().all(|l| l.source.as_ref() == Some(&first)).then_some(first)
}

fn dataset_slug(stem: &str) -> String {
    let s = fold(stem).replace('_', "-");
    if s.is_empty() {
        "sheet".into()
    } else {
        s
    }
}

/// One row being read: its problems carry the index of their column.
struct Row<'a> {
    columns: &'a Columns,
    cells: &'a [Cell],
    problems: Vec<(Option<usize>, String)>,
    /// The column each of the listing's phones came from.
    phone_cols: Vec<usize>,
}

impl Row<'_> {
    fn cell(&self, col: &Col) -> Option<(usize, &Cell)> {
        let i = self.columns.index(col)?;
        let cell = self.cells.get(i)?;
        (!cell.text().is_empty()).then_some((i, cell))
    }

    fn text(&self, col: &Col) -> Option<(usize, String)> {
        self.cell(col).map(|(i, c)| (i, c.text()))
    }

    fn problem(&mut self, col: usize, reason: impl Into<String>) {
        self.problems.push((Some(col), reason.into()));
    }

    /// A yes/no cell: `None` when empty, the problem recorded when unreadable.
    fn yes_no(&mut self, col: &Col) -> Option<bool> {
        let (i, text) = self.text(col)?;
        let answer = yes_no(&text);
        if answer.is_none() {
            self.problem(i, format!("{text:?} is not yes or no (yes/no, sí/no, oui/non, sim/não, wi/non, x or empty)"));
        }
        answer
    }

    /// The cell's items, split at `;`, `,`, `/` or new lines.
    fn items(&self, col: &Col) -> Option<(usize, Vec<String>)> {
        self.text(col).map(|(i, t)| (i, split_items(&t)))
    }

    fn listing(&mut self) -> Option<Listing> {
        let id = match self.text(&Col::Id) {
            Some((_, id)) => id,
            None => {
                let col = self.columns.index(&Col::Id);
                self.problems.push((col, "is empty: every row needs its own id, such as demo:tapachula-01".into()));
                return None;
            }
        };
        let kind = match self.text(&Col::Kind) {
            None => {
                let col = self.columns.index(&Col::Kind);
                self.problems.push((col, "is empty: consulate, legal_aid, health or shelter".into()));
                None
            }
            Some((i, text)) => {
                let kind = kind_of(&text);
                if kind.is_none() {
                    self.problem(i, format!("{text:?} is not a kind: consulate, legal_aid, health or shelter"));
                }
                kind
            }
        };
        let mut name = BTreeMap::new();
        let mut description = BTreeMap::new();
        for (i, col) in self.columns.of.iter().enumerate() {
            let text = self.cells.get(i).map(Cell::text).unwrap_or_default();
            match col {
                Col::Name(tag) if !text.is_empty() => {
                    name.insert(tag.clone(), text);
                }
                Col::Description(tag) if !text.is_empty() => {
                    description.insert(tag.clone(), text);
                }
                _ => {}
            }
        }
        let mut services = Vec::new();
        if let Some((i, items)) = self.items(&Col::Services) {
            for item in items {
                match ServiceCode::parse(&fold(&item)) {
                    Some(s) => services.push(s),
                    None => self.problem(i, format!("{item:?} is not a service code (docs/data-format.md)")),
                }
            }
        }
        let country = match self.text(&Col::Country) {
            None => None,
            Some((i, text)) => {
                let c = CountryCode::parse(&text).or_else(|| CountryCode::from_alpha3_or_name(&text));
                if c.is_none() {
                    self.problem(i, format!("{text:?} is not a country: write its ISO code (MX, GT, HN, ...)"));
                }
                c
            }
        };
        let street = self.text(&Col::Street);
        let locality = self.text(&Col::Locality).map(|t| t.1);
        let region = self.text(&Col::Region).map(|t| t.1);
        let postal_code = self.text(&Col::Postcode).map(|t| t.1);
        let address = match country {
            Some(country) => Some(Address {
                street: street.map(|(_, s)| self.in_first_language(s)).unwrap_or_default(),
                locality,
                region,
                postal_code,
                country,
            }),
            None => {
                if street.is_some() || locality.is_some() || region.is_some() || postal_code.is_some() {
                    let col = self.columns.index(&Col::Country);
                    self.problems.push((col, "is empty: an address needs its country (MX, GT, ...)".into()));
                }
                None
            }
        };
        let lat = self.number(&Col::Lat);
        let lon = self.number(&Col::Lon);
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => Some(Location { lat, lon }),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                let missing = if lat.is_none() { Col::Lat } else { Col::Lon };
                let col = self.columns.index(&missing);
                self.problems.push((col, "is empty: give both lat and lon, or neither".into()));
                None
            }
        };
        let mut phones = Vec::new();
        for (col, kind) in [(Col::Phones, PhoneKind::Voice), (Col::Whatsapp, PhoneKind::Whatsapp)] {
            if let Some((i, items)) = self.items(&col) {
                for item in items {
                    let contact = normalize::phone(&item, country);
                    match contact.normalized {
                        Some(number) => {
                            phones.push(Phone { number, kind, note: BTreeMap::new() });
                            self.phone_cols.push(i);
                        }
                        None => self.problem(
                            i,
                            format!(
                                "{:?} is not a phone number: {}",
                                crate::error::printable(&item, 40),
                                contact.problem.unwrap_or("unreadable")
                            ),
                        ),
                    }
                }
            }
        }
        // Addresses hold '/': split only at spaces, ';', ',' and new lines.
        let addresses = |col: &Col| -> Vec<String> {
            self.text(col)
                .map(|(_, t)| t.split([';', ',', ' ', '\n']).filter(|s| !s.is_empty()).map(str::to_string).collect())
                .unwrap_or_default()
        };
        let emails = addresses(&Col::Emails);
        let websites = addresses(&Col::Websites);
        let mut timezone = self.text(&Col::Timezone).map(|t| t.1);
        let opening_hours = match self.text(&Col::Hours) {
            None => None,
            Some((i, text)) => match read_hours(&text) {
                Ok(expr) => Some(expr),
                Err(reason) => {
                    self.problem(i, reason);
                    None
                }
            },
        };
        if opening_hours.is_some() && timezone.is_none() {
            timezone = country.and_then(single_zone).map(str::to_string);
            if timezone.is_none() {
                let col = self.columns.index(&Col::Timezone).or(self.columns.index(&Col::Hours));
                let why = match country {
                    Some(c) => format!("{} has several time zones", c.name()),
                    None => "the row has no country".into(),
                };
                self.problems
                    .push((col, format!("hours need a time zone and {why}: fill timezone (America/Mexico_City)")));
            }
        }
        let mut languages = Vec::new();
        if let Some((i, items)) = self.items(&Col::Languages) {
            for item in items {
                match LangTag::parse(&item) {
                    Ok(tag) => languages.push(tag),
                    Err(e) => self.problem(i, e.to_string()),
                }
            }
        }
        let cost = self.yes_no(&Col::Free).map(|free| if free { Cost::Free } else { Cost::Paid });
        let mut serves = Vec::new();
        if let Some((i, items)) = self.items(&Col::Serves) {
            for item in items {
                match Audience::parse(&fold(&item)) {
                    Some(a) => serves.push(a),
                    None => self.problem(i, format!("{item:?} is not a group (everyone, women, children, ...)")),
                }
            }
        }
        for (col, group) in
            [(Col::Minors, Audience::UnaccompaniedMinors), (Col::Women, Audience::Women), (Col::Lgbtq, Audience::Lgbtq)]
        {
            if self.yes_no(&col) == Some(true) && !serves.contains(&group) {
                serves.push(group);
            }
        }
        let papers_required = self.yes_no(&Col::NoPapers).map(|no_papers| !no_papers);
        let verified_by = self.text(&Col::VerifiedBy);
        let verified_on = match self.cell(&Col::VerifiedOn) {
            None => None,
            Some((_, Cell::Date(d))) => Some(*d),
            Some((i, Cell::Text(t))) => {
                let t = t.trim();
                let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok();
                if d.is_none() {
                    self.problem(i, format!("{t:?} is not a date written YYYY-MM-DD (2026-11-30)"));
                }
                d
            }
        };
        let verified = match (verified_by, verified_on) {
            (Some((_, by)), Some(on)) => Some(Verification { by, on }),
            (None, None) => None,
            (by, _) => {
                let missing = if by.is_none() { Col::VerifiedBy } else { Col::VerifiedOn };
                let col = self.columns.index(&missing);
                self.problems.push((col, "is empty: give both verified_by and verified_on, or neither".into()));
                None
            }
        };
        let status = match self.text(&Col::Status) {
            None => Status::Active,
            Some((i, t)) => Status::parse(&fold(&t)).unwrap_or_else(|| {
                self.problem(i, format!("{t:?} is not a status: active, temporarily_closed or closed"));
                Status::Active
            }),
        };
        let source = self.text(&Col::SourceName).map(|(_, name)| Source {
            name,
            url: self.text(&Col::SourceUrl).map(|t| t.1),
            license: self.text(&Col::License).map(|t| t.1),
            date: None,
        });
        if source.is_none() {
            for col in [Col::SourceUrl, Col::License] {
                if let Some((i, _)) = self.text(&col) {
                    self.problem(i, "needs the source column: name the source of the data too");
                }
            }
        }
        let demo = self.yes_no(&Col::Demo).unwrap_or(false);
        Some(Listing {
            id,
            kind: kind?,
            services,
            name,
            organization: self.text(&Col::Organization).map(|(_, o)| self.in_first_language(o)).unwrap_or_default(),
            description,
            consulate: None,
            location,
            address,
            phones,
            emails,
            websites,
            social: Vec::new(),
            opening_hours,
            timezone,
            languages,
            cost,
            serves,
            eligibility: Eligibility { papers_required, ..Default::default() },
            accessibility: Vec::new(),
            status,
            status_note: BTreeMap::new(),
            verified,
            source,
            demo,
        })
    }

    /// `text` as a text in the language of the sheet's first name column (a street or an
    /// organization is written once, in the sheet's main language).
    fn in_first_language(&self, text: String) -> BTreeMap<LangTag, String> {
        let lang = self.columns.of.iter().find_map(|c| if let Col::Name(t) = c { Some(t.clone()) } else { None });
        lang.into_iter().map(|l| (l, text.clone())).collect()
    }

    fn number(&mut self, col: &Col) -> Option<f64> {
        let (i, text) = self.text(col)?;
        match text.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.problem(i, format!("{text:?} is not a number in decimal degrees (14.9056)"));
                None
            }
        }
    }

    /// The column a listing field path (`phones[1].number`, `name.es`) came from, as
    /// `LETTER header`.
    fn column_for(&self, field: &str) -> Option<String> {
        let head = field.split(['.', '[']).next().unwrap_or(field);
        let col = match head {
            "id" => Some(Col::Id),
            "kind" => Some(Col::Kind),
            "services" => Some(Col::Services),
            "name" if field == "name" => self.columns.of.iter().find(|c| matches!(c, Col::Name(_))).cloned(),
            "name" | "description" => {
                let tag = LangTag::parse(field.split('.').nth(1)?).ok()?;
                Some(if head == "name" { Col::Name(tag) } else { Col::Description(tag) })
            }
            "organization" => Some(Col::Organization),
            "location" if field == "location" => {
                let both: Vec<&str> = [Col::Lat, Col::Lon].iter().filter_map(|c| self.columns.label_of(c)).collect();
                return (!both.is_empty()).then(|| both.join(" / "));
            }
            "location" => Some(if field.ends_with("lon") { Col::Lon } else { Col::Lat }),
            "address" => Some(match field {
                f if f.starts_with("address.street") => Col::Street,
                "address.locality" => Col::Locality,
                "address.region" => Col::Region,
                "address.postal_code" => Col::Postcode,
                _ => Col::Country,
            }),
            "phones" => {
                let n: usize = field.strip_prefix("phones[")?.split(']').next()?.parse().ok()?;
                return self.phone_cols.get(n).map(|&i| self.columns.label[i].clone());
            }
            "emails" => Some(Col::Emails),
            "websites" => Some(Col::Websites),
            "opening_hours" => Some(Col::Hours),
            "timezone" => Some(if self.columns.index(&Col::Timezone).is_some() { Col::Timezone } else { Col::Country }),
            "languages" => Some(Col::Languages),
            "verified" => Some(if field.ends_with("on") { Col::VerifiedOn } else { Col::VerifiedBy }),
            "source" => Some(match field {
                "source.url" => Col::SourceUrl,
                "source.license" => Col::License,
                _ => Col::SourceName,
            }),
            _ => None,
        }?;
        self.columns.label_of(&col).map(str::to_string)
    }
}

fn kind_of(text: &str) -> Option<Kind> {
    let key = fold(text);
    Kind::parse(&key).or(match key.as_str() {
        "consulado" | "embajada" | "consulat" | "ambassade" | "embassy" | "embaixada" | "konsila" => {
            Some(Kind::Consulate)
        }
        "legal"
        | "legal_aid"
        | "asesoria_legal"
        | "asesoria_juridica"
        | "aide_juridique"
        | "assistencia_juridica"
        | "juridico"
        | "juridique" => Some(Kind::LegalAid),
        "salud" | "sante" | "saude" | "clinica" | "clinique" | "sante_health" | "health_care" => Some(Kind::Health),
        "albergue" | "refugio" | "casa_del_migrante" | "abri" | "hebergement" | "abrigo" | "shelter_house" => {
            Some(Kind::Shelter)
        }
        _ => None,
    })
}

fn split_items(text: &str) -> Vec<String> {
    text.split([';', ',', '/', '\n', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Yes or no in en, es, fr, pt and ht; `None` when it is neither.
fn yes_no(text: &str) -> Option<bool> {
    match fold(text).as_str() {
        "yes" | "y" | "si" | "s" | "oui" | "o" | "sim" | "wi" | "true" | "verdadero" | "vrai" | "verdadeiro" | "1"
        | "x" => Some(true),
        "no" | "n" | "non" | "nao" | "false" | "falso" | "faux" | "0" => Some(false),
        _ => None,
    }
}

/// The one IANA zone of a country that has one, for the countries of the route and where
/// people come from; `None` for countries with several (Mexico, the United States, Brazil,
/// Canada, Chile, Ecuador, ...) or not listed: the sheet must then say the zone.
pub fn single_zone(country: CountryCode) -> Option<&'static str> {
    const ZONES: &[(&str, &str)] = &[
        ("BO", "America/La_Paz"),
        ("BZ", "America/Belize"),
        ("CO", "America/Bogota"),
        ("CR", "America/Costa_Rica"),
        ("CU", "America/Havana"),
        ("DO", "America/Santo_Domingo"),
        ("GT", "America/Guatemala"),
        ("GY", "America/Guyana"),
        ("HN", "America/Tegucigalpa"),
        ("HT", "America/Port-au-Prince"),
        ("JM", "America/Jamaica"),
        ("NI", "America/Managua"),
        ("PA", "America/Panama"),
        ("PE", "America/Lima"),
        ("PY", "America/Asuncion"),
        ("SR", "America/Paramaribo"),
        ("SV", "America/El_Salvador"),
        ("TT", "America/Port_of_Spain"),
        ("UY", "America/Montevideo"),
        ("VE", "America/Caracas"),
    ];
    ZONES.iter().find(|(c, _)| *c == country.as_str()).map(|(_, z)| *z)
}

/// The sheet's hours cell as an `opening_hours` value: kept as written when it is one
/// (`Mo-Fr 09:00-17:00`), else converted from the simple form ([`simple_hours`]).
fn read_hours(text: &str) -> std::result::Result<String, String> {
    if crate::hours::Hours::parse(text).is_ok() {
        return Ok(text.trim().to_string());
    }
    simple_hours(text)
}

/// Converts simple hours, as people write them in a sheet, into OpenStreetMap
/// `opening_hours`; refuses (with the reason) what it cannot convert exactly.
///
/// The rule: rules are separated by `;` or new lines. Each rule is days, then times:
/// - days: a day's name or its abbreviation (at least two letters) in en, es, fr, pt or ht,
///   accents and case ignored (`Mon`, `Lun`, `Mié`, `Sáb`, `Seg`, `Sexta-feira`, `Lendi`); a
///   range `Lun-Vie`, `Mon to Fri`, `lunes a viernes`, `lundi au vendredi`, `segunda a
///   sexta`; a list `Lun, Mié y Vie`; or every day (`daily`, `todos los días`, `tous les
///   jours`, `todos os dias`, `chak jou`). An abbreviation that names two days (`s`, `qu`,
///   `se`) is refused;
/// - times: `9-17`, `9:30-13`, `9h-17h30`, `9.00-17.00`, `9am-5pm`, several joined by
///   `,`, `y`, `and`, `et`, `e`; or closed (`cerrado`, `closed`, `fermé`, `fechado`, `fèmen`);
/// - `24/7`, `24 horas`, `24 hours`, `24h/24` mean always open.
///
/// `Lun-Vie 9-17; Sáb 9-13` becomes `Mo-Fr 09:00-17:00; Sa 09:00-13:00`.
pub fn simple_hours(text: &str) -> std::result::Result<String, String> {
    let refuse = |why: String| {
        Err(format!(
            "{:?} cannot be read as opening hours: {why}; write it as \"Mon-Fri 9-17; Sat 9-13\" \
             (or \"Lun-Vie 9-17\"), or in OpenStreetMap syntax (Mo-Fr 09:00-17:00)",
            crate::error::printable(text, 80)
        ))
    };
    let folded = fold_keep(text);
    if ["24/7", "24 horas", "24 hours", "24h/24", "24 h", "24h", "24 heures", "24 ed"].contains(&folded.trim()) {
        return Ok("24/7".into());
    }
    let mut rules = Vec::new();
    for rule in folded.split([';', '\n']).map(str::trim).filter(|r| !r.is_empty()) {
        let digit = rule.find(|c: char| c.is_ascii_digit());
        let closed_at = ["cerrado", "closed", "ferme", "fechado", "femen"].iter().find_map(|w| rule.find(w));
        let (days_text, times) = match (digit, closed_at) {
            (_, Some(at)) => (&rule[..at], None),
            (Some(at), None) => (&rule[..at], Some(&rule[at..])),
            (None, None) => return refuse(format!("{rule:?} has no times")),
        };
        let days = match days_of(days_text) {
            Ok(d) => d,
            Err(why) => return refuse(why),
        };
        let times = match times {
            None => "off".to_string(),
            Some(t) => match times_of(t) {
                Ok(t) => t,
                Err(why) => return refuse(why),
            },
        };
        rules.push(if days.is_empty() { times } else { format!("{days} {times}") });
    }
    if rules.is_empty() {
        return refuse("it is empty".into());
    }
    let expr = rules.join("; ");
    match crate::hours::Hours::parse(&expr) {
        Ok(_) => Ok(expr),
        Err(e) => refuse(format!("it converts to {expr:?}, which is not valid: {e}")),
    }
}

/// `text` lower case with accents removed, other characters kept.
fn fold_keep(text: &str) -> String {
    text.nfd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// Full day names, Monday first, in en, es, fr, pt and ht (folded).
const DAY_NAMES: [&[&str]; 7] = [
    &["monday", "lunes", "lundi", "segunda", "lendi"],
    &["tuesday", "martes", "mardi", "terca", "madi"],
    &["wednesday", "miercoles", "mercredi", "quarta", "mekredi"],
    &["thursday", "jueves", "jeudi", "quinta", "jedi"],
    &["friday", "viernes", "vendredi", "sexta", "vandredi"],
    &["saturday", "sabado", "samedi", "samdi"],
    &["sunday", "domingo", "dimanche", "dimanch"],
];

/// The day (0 = Monday) a word names: the day whose names it starts, if only one.
fn day_of(word: &str) -> std::result::Result<usize, String> {
    let w = word.trim().trim_end_matches('.');
    let w = w.strip_suffix("-feira").or_else(|| w.strip_suffix(" feira")).unwrap_or(w);
    if w.chars().count() < 2 {
        return Err(format!("{w:?} is not a day"));
    }
    let days: Vec<usize> = (0..7).filter(|&d| DAY_NAMES[d].iter().any(|n| n.starts_with(w))).collect();
    match days.as_slice() {
        [d] => Ok(*d),
        [] => OSM_DAYS.iter().position(|d| d.eq_ignore_ascii_case(w)).ok_or_else(|| format!("{w:?} is not a day")),
        _ => Err(format!("{w:?} could be {} days: write more of the name", days.len())),
    }
}

/// Words that join two days or two time spans ("Mon and Wed", "9-13 y 15-18"), in en, es,
/// fr, pt and ht.
const AND_WORDS: [&str; 7] = [" y ", " and ", " et ", " e ", " ak ", "&", "/"];

/// Words between the two ends of a range of days or times ("lunes a viernes", "9 to 5").
const RANGE_WORDS: [&str; 6] = [" a ", " to ", " au ", " ate ", " rive ", "–"];

/// The days part of a rule in OSM syntax (`Mo-Fr`, `Mo,We,Fr`); empty for every day.
fn days_of(text: &str) -> std::result::Result<String, String> {
    let mut t = text.trim().trim_end_matches(':').trim();
    for filler in [" de las", " de", " from", " des", " das", " a partir de", " dalle"] {
        t = t.strip_suffix(filler).unwrap_or(t).trim();
    }
    if t.is_empty() {
        return Err("say which days (Mon-Fri, Lun-Vie, daily)".into());
    }
    if ["daily", "every day", "todos los dias", "diario", "tous les jours", "todos os dias", "chak jou", "mo-su"]
        .contains(&t)
    {
        return Ok("Mo-Su".into());
    }
    let mut spaced = format!(" {} ", t.replace("-feira", "").replace(" feira", ""));
    for word in RANGE_WORDS.iter().chain(&[" - "]) {
        spaced = spaced.replace(word, "-");
    }
    for word in AND_WORDS {
        spaced = spaced.replace(word, ",");
    }
    let mut parts = Vec::new();
    for piece in spaced.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let range: Vec<&str> = piece.split('-').map(str::trim).collect();
        match range.as_slice() {
            [one] => parts.push(OSM_DAYS[day_of(one)?].to_string()),
            [from, to] => parts.push(format!("{}-{}", OSM_DAYS[day_of(from)?], OSM_DAYS[day_of(to)?])),
            _ => return Err(format!("{piece:?} is not a day or a range of days")),
        }
    }
    Ok(parts.join(","))
}

/// The times part of a rule in OSM syntax (`09:00-13:00,15:00-18:00`).
fn times_of(text: &str) -> std::result::Result<String, String> {
    let mut t = format!(" {} ", text.trim());
    for word in [" de las ", " de ", " from ", " des ", " das ", " las ", " hrs ", " hs "] {
        t = t.replace(word, " ");
    }
    for word in AND_WORDS {
        t = t.replace(word, ",");
    }
    for word in RANGE_WORDS.iter().chain(&[" as "]) {
        t = t.replace(word, "-");
    }
    let mut spans = Vec::new();
    for span in t.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let ends: Vec<&str> = span.split('-').map(str::trim).collect();
        let [from, to] = ends.as_slice() else {
            return Err(format!("{span:?} is not a time span such as 9-17"));
        };
        spans.push(format!("{}-{}", time_of(from)?, time_of(to)?));
    }
    Ok(spans.join(","))
}

/// `9`, `9:30`, `9h30`, `9.30`, `9am`, `5 p.m.` as `HH:MM`.
fn time_of(text: &str) -> std::result::Result<String, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace() && *c != '.').collect();
    let (body, pm) = if let Some(b) = compact.strip_suffix("pm") {
        (b, Some(true))
    } else if let Some(b) = compact.strip_suffix("am") {
        (b, Some(false))
    } else {
        (compact.as_str(), None)
    };
    let body = body.trim_end_matches('h');
    // "9.30" lost its dot above: read the digits as H, HH, HMM or HHMM when split by ':' or 'h'.
    let (h, m) = match body.split_once([':', 'h']) {
        Some((h, m)) => (h, m),
        None if text.contains('.') && body.len() > 2 => body.split_at(body.len() - 2),
        None => (body, "0"),
    };
    let bad = || format!("{:?} is not a time of day", text.trim());
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = if m.is_empty() { 0 } else { m.parse().map_err(|_| bad())? };
    let h = match pm {
        Some(_) if !(1..=12).contains(&h) => return Err(bad()),
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

#[cfg(feature = "sheets")]
mod workbook {
    //! XLSX and ODS through `calamine` (ADR 0029).
    use std::path::Path;

    use calamine::{open_workbook_auto, Data, Reader};
    use chrono::NaiveDate;

    use super::{Cell, Grid};
    use crate::error::{Error, InputError, Result};

    /// The sheet `wanted` (the first when `None`) as a grid, with its name.
    pub(super) fn read(path: &Path, file: &str, wanted: Option<&str>) -> Result<(Grid, String)> {
        let mut book = open_workbook_auto(path)
            .map_err(|e| Error::Input(InputError::new(file, format!("not a readable workbook: {e}"))))?;
        let names = book.sheet_names();
        let name = match wanted {
            Some(w) => {
                names.iter().find(|n| n.as_str() == w || n.eq_ignore_ascii_case(w)).cloned().ok_or_else(|| {
                    Error::Input(InputError::new(file, format!("has no sheet {w:?}; its sheets: {}", names.join(", "))))
                })?
            }
            None => names.first().cloned().ok_or_else(|| Error::Input(InputError::new(file, "has no sheet")))?,
        };
        let range = book.worksheet_range(&name).map_err(|e| {
            Error::Input(InputError::new(file, format!("sheet {name:?} cannot be read: {e}")).in_sheet(&name))
        })?;
        let (top, left) = range.start().map_or((0, 0), |(r, c)| (r as u64, c as usize));
        let mut grid = Grid { first_col: left, ..Grid::default() };
        for (i, row) in range.rows().enumerate() {
            let line = top + i as u64 + 1;
            let cells: Vec<Cell> = row.iter().map(cell).collect();
            if grid.header.is_empty() {
                if cells.iter().all(|c| c.text().is_empty()) {
                    continue;
                }
                grid.header_row = line;
                grid.header = cells.iter().map(Cell::text).collect();
            } else {
                grid.rows.push((line, cells));
            }
        }
        Ok((grid, name))
    }

    fn cell(data: &Data) -> Cell {
        match data {
            Data::Empty => Cell::Text(String::new()),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            // Whole numbers (a phone typed as a number, a postcode) without ".0".
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cell::Text(format!("{}", *f as i64)),
            Data::Float(f) => Cell::Text(f.to_string()),
            Data::Int(i) => Cell::Text(i.to_string()),
            Data::Bool(b) => Cell::Text(if *b { "yes" } else { "no" }.into()),
            Data::DateTime(d) => {
                // Days since 1899-12-30, the spreadsheet epoch (1900 date system).
                let days = d.as_f64().floor() as i64;
                NaiveDate::from_ymd_opt(1899, 12, 30)
                    .and_then(|e| e.checked_add_signed(chrono::Duration::days(days)))
                    .map_or_else(|| Cell::Text(d.as_f64().to_string()), Cell::Date)
            }
            Data::Error(e) => Cell::Text(format!("#{e:?}")),
        }
    }
}

#[cfg(not(feature = "sheets"))]
mod workbook {
    //! Without the `sheets` feature: workbooks are refused with what to do.
    use std::path::Path;

    use super::Grid;
    use crate::error::{Error, InputError, Result};

    pub(super) fn read(_path: &Path, file: &str, _wanted: Option<&str>) -> Result<(Grid, String)> {
        Err(Error::Input(InputError::new(
            file,
            "this build reads CSV sheets only (built without the `sheets` feature): save the sheet as CSV UTF-8",
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/samples/field-team-demo.csv")
    }

    fn csv(text: &str) -> Result<Converted> {
        read_csv_sheet(text.as_bytes(), "t.csv", "t", &SheetOptions::default())
    }

    fn problems(text: &str) -> Vec<String> {
        match csv(text) {
            Err(Error::InputMany(v)) => v.iter().map(ToString::to_string).collect(),
            Err(Error::Input(e)) => vec![e.to_string()],
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn hours_conversion_table() {
        for (written, osm) in [
            ("Mon-Fri 9-17", "Mo-Fr 09:00-17:00"),
            ("Lun-Vie 9-17", "Mo-Fr 09:00-17:00"),
            ("Lun-Vie 9-17; Sáb 9-13", "Mo-Fr 09:00-17:00; Sa 09:00-13:00"),
            ("lunes a viernes de 9 a 13 y de 15 a 18", "Mo-Fr 09:00-13:00,15:00-18:00"),
            ("Lundi au vendredi 9h-17h30", "Mo-Fr 09:00-17:30"),
            ("Segunda a sexta-feira 8h às 12h", "Mo-Fr 08:00-12:00"),
            ("Seg-Sex 8.30-16.30", "Mo-Fr 08:30-16:30"),
            ("Lendi-Vandredi 8-16", "Mo-Fr 08:00-16:00"),
            ("Mon, Wed & Fri 9am-5pm", "Mo,We,Fr 09:00-17:00"),
            ("Mié 10-14; Dom cerrado", "We 10:00-14:00; Su off"),
            ("todos los días 7-19", "Mo-Su 07:00-19:00"),
            ("Vie-Sáb 20-2", "Fr-Sa 20:00-02:00"),
            ("24 horas", "24/7"),
        ] {
            assert_eq!(simple_hours(written).as_deref(), Ok(osm), "{written}");
        }
        // OpenStreetMap syntax is kept as written.
        assert_eq!(read_hours("Mo-Fr 08:00-16:00; PH off").as_deref(), Ok("Mo-Fr 08:00-16:00; PH off"));
        // Refused, never guessed: no days, an abbreviation of two days, no times, nonsense.
        for (written, why) in [
            ("9-17", "say which days"),
            ("S 9-13", "is not a day"),
            ("Qu 9-13", "could be 2 days"),
            ("Lun-Vie", "has no times"),
            ("a veces", "has no times"),
            ("Lun-Vie 9-17-18", "not a time span"),
            ("Lun-Vie 9-25", "not a time of day"),
            ("Lun-Vie 13pm-14pm", "not a time of day"),
        ] {
            let err = read_hours(written).unwrap_err();
            assert!(err.contains(why) && err.contains("Mon-Fri 9-17"), "{written}: {err}");
        }
    }

    #[test]
    fn the_sample_sheet_reads_as_exactly_its_listings() {
        let sheet = SheetOptions { sheet: Some("Lugares".into()), dataset: None };
        let err = read_sheet(&sample(), SheetFormat::Csv, &sheet).unwrap_err();
        assert!(err.to_string().ends_with("is a CSV file, which has no sheets: leave out --sheet"), "{err}");
        let c = read_sheet(&sample(), SheetFormat::Csv, &SheetOptions::default()).unwrap();
        assert_eq!(c.dataset.name, "local/field-team-demo");
        assert!(c.dataset.demo);
        let source = c.dataset.source.as_ref().unwrap();
        assert_eq!((source.name.as_str(), source.license.as_deref()), ("Equipo de campo Faro (demo)", Some("CC0-1.0")));
        let ids: Vec<&str> = c.listings.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            ["demo:sheet-tapachula-legal-01", "demo:sheet-tapachula-health-01", "demo:sheet-guatemala-shelter-01"]
        );
        let expected: Listing = serde_json::from_value(serde_json::json!({
            "id": "demo:sheet-tapachula-legal-01", "kind": "legal_aid",
            "name": {"es": "Asesoría Legal Frontera Sur (demo)", "en": "South Border Legal Aid (demo)",
                     "ht": "Asistans Legal Fwontyè Sid (demo)"},
            "organization": {"es": "Colectivo Frontera (demo)"},
            "location": {"lat": 14.9056, "lon": -92.2634},
            "address": {"street": {"es": "Calle 4 Norte 12 (demo)"}, "locality": "Tapachula", "region": "Chiapas",
                        "postal_code": "30700", "country": "MX"},
            "phones": [{"number": "+12015550101"}, {"number": "+12015550102"},
                       {"number": "+12015550103", "kind": "whatsapp"}],
            "opening_hours": "Mo-Fr 09:00-17:00; Sa 09:00-13:00", "timezone": "America/Mexico_City",
            "languages": ["es", "ht", "en"], "cost": "free",
            "serves": ["unaccompanied_minors", "women", "lgbtq"],
            "eligibility": {"papers_required": false},
            "verified": {"by": "Equipo de campo (demo)", "on": "2026-11-30"},
            "source": {"name": "Equipo de campo Faro (demo)", "license": "CC0-1.0"},
            "demo": true
        }))
        .unwrap();
        assert_eq!(c.listings[0], expected);
        // Guatemala has one zone: the hours' zone comes from the country.
        let gt = &c.listings[2];
        assert_eq!(
            (gt.kind, gt.opening_hours.as_deref(), gt.timezone.as_deref()),
            (Kind::Shelter, Some("24/7"), Some("America/Guatemala"))
        );
        assert_eq!(c.listings[1].opening_hours.as_deref(), Some("Mo-Fr 08:00-16:00; PH off"));
        assert_eq!(c.listings[1].serves, [Audience::Women]);
    }

    #[test]
    fn every_problem_of_every_row_is_named_with_row_and_column() {
        let got = problems(concat!(
            "id;kind;name_es;country;lat;lon;phones;hours;free;color\n",
            "demo:a;bakery;Panadería (demo);GT;14.63;-90.5;+1 201 555 0106;Lun-Vie 9-17;yes;red\n",
            "demo:b;health;Clínica (demo);MX;14.9;-92.26;12;a veces;maybe;\n",
            "\n",
            "demo:c;shelter;;GT;14.63;;;Lun-Vie 9-17;sí;\n",
            "demo:c;shelter;Otra (demo);ZZ;14.63;-90.5;;;;\n",
        ));
        let expected = [
            "t.csv:1: field J color: \"color\" is not a column of the template",
            "t.csv:2: record demo:a: field B kind: \"bakery\" is not a kind",
            "t.csv:3: record demo:b: field G phones: \"12\" is not a phone number",
            "t.csv:3: record demo:b: field H hours: \"a veces\" cannot be read as opening hours",
            "t.csv:3: record demo:b: field I free: \"maybe\" is not yes or no",
            "t.csv:5: record demo:c: field F lon: is empty: give both lat and lon",
            "t.csv:5: record demo:c: field C name_es: is required",
            "t.csv:6: record demo:c: field D country: \"ZZ\" is not a country",
            "t.csv:6: record demo:c: field A id: the same id as row 5",
        ];
        for e in expected {
            assert!(got.iter().any(|g| g.starts_with(e)), "missing {e:?} in:\n{}", got.join("\n"));
        }
        assert_eq!(got.len(), expected.len(), "{}", got.join("\n"));
    }

    #[test]
    fn headers_match_in_four_languages_and_unknown_ones_are_reported() {
        for header in ["Nombre (ES)", "name_es", "Nom ES", "nome-es", "NAME ES"] {
            assert_eq!(column_of(header), Ok(Col::Name(LangTag::parse("es").unwrap())), "{header}");
        }
        for (header, col) in [
            ("Teléfonos", Col::Phones),
            ("Código Postal", Col::Postcode),
            ("Sans papiers", Col::NoPapers),
            ("Vérifié le", Col::VerifiedOn),
            ("LGBTQ+", Col::Lgbtq),
            ("Horário", Col::Hours),
            ("# mis notas", Col::Ignored),
        ] {
            assert_eq!(column_of(header), Ok(col), "{header}");
        }
        assert!(column_of("name").unwrap_err().contains("name_es"));
        assert!(column_of("color").unwrap_err().contains("not a column"));
        // Without an id or kind column the rows are not read: the header is the problem.
        let got = problems("nombre_es;pais\nClínica (demo);MX\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].starts_with("t.csv:1: the header has no id column"), "{got:?}");
    }

    #[test]
    fn a_missions_file_is_told_from_a_sheet_by_its_header() {
        let missions = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/wikidata/diplomatic-missions-wikidata-2022.csv"),
        )
        .unwrap();
        assert!(is_missions_header(missions.lines().next().unwrap()));
        let sheet = std::fs::read_to_string(sample()).unwrap();
        assert!(!is_missions_header(sheet.lines().next().unwrap()));
    }

    #[test]
    fn web_addresses_keep_their_slashes_and_bad_ones_name_their_column() {
        let c = csv("id,kind,name_es,website,email\ndemo:a,health,Clínica (demo),https://clinica.example/es/ https://b.example,a@clinica.example; b@clinica.example\n")
            .unwrap();
        assert_eq!(c.listings[0].websites, ["https://clinica.example/es/", "https://b.example"]);
        assert_eq!(c.listings[0].emails, ["a@clinica.example", "b@clinica.example"]);
        let got = problems("id,kind,name_es,website\ndemo:a,health,Clínica (demo),clinica.example\n");
        assert!(got[0].starts_with("t.csv:2: record demo:a: field D website:"), "{got:?}");
    }

    #[test]
    fn hours_without_a_zone_need_one_where_the_country_has_several() {
        let got = problems("id,kind,name_es,country,hours\ndemo:a,health,Clínica (demo),MX,Lun-Vie 9-17\n");
        assert!(got[0].contains("field E hours: hours need a time zone and Mexico has several time zones"), "{got:?}");
    }
}
