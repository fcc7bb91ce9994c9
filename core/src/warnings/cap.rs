//! OASIS Common Alerting Protocol 1.2: importing `<alert>` messages as warnings and
//! exporting warnings as alerts, so that Faro's publishers and the alerting systems of the
//! field speak the same format.
//!
//! Mapping (`docs/data-format.md`): `identifier` <-> id, `sender` <-> issuer.sender,
//! `sent`, `msgType` `Alert`/`Update` <-> active and `Cancel` <-> withdrawn (the id is taken
//! from `references`), one `<info>` per language (headline, description, instruction ->
//! advice, senderName -> issuer, web, effective, expires, severity, event), `<area>` with
//! `circle` ("lat,lon radius_km"), `polygon` ("lat,lon lat,lon ...") and `geocode`
//! `ISO3166-1` for countries, and `<parameter>`s `faro:kind`, `faro:phone`, `faro:domain`,
//! `faro:email`, `faro:handle` (`network:name`), `faro:name`, `faro:listing`, `faro:demo`.
//! Polygon holes have no CAP form: export drops them, which only makes the area larger.
//!
//! Parsing goes through `quick-xml`'s reader into a small element tree keyed by local
//! names, so namespace prefixes (`cap:alert`) do not matter.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use quick_xml::escape::escape;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::{Area, Circle, Geometry, HandleIndicator, Indicators, Issuer, Severity, Warning, WarningKind};
use crate::country::CountryCode;
use crate::error::InputError;
use crate::lang::LangTag;
use crate::model::validate::{check_id, MAX_ID_LEN};

/// The CAP 1.2 namespace.
pub const CAP_NS: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// Deepest element nesting read: a CAP alert nests 4 deep (`alert/info/area/polygon`);
/// a bound keeps a hostile file (200,000 nested elements) from exhausting the stack, which
/// an app cannot catch.
pub const MAX_DEPTH: usize = 16;

/// One XML element: local name, text, children.
#[derive(Debug, Default)]
struct El {
    name: String,
    text: String,
    children: Vec<El>,
}

impl El {
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|t| !t.is_empty())
    }
}

fn parse_tree(xml: &str) -> Result<El, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| format!("not well-formed XML at byte {pos}: {e}"))?;
        let top = stack.last_mut().ok_or("unbalanced XML")?;
        match event {
            Event::Start(e) => {
                // The stack holds a root above the document's elements.
                if stack.len() > MAX_DEPTH {
                    return Err(format!(
                        "elements nested more than {MAX_DEPTH} deep at byte {pos} (a CAP alert nests 4 deep)"
                    ));
                }
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                stack.push(El { name, ..El::default() });
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                top.children.push(El { name, ..El::default() });
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced XML")?;
                stack.last_mut().ok_or_else(|| format!("unexpected end tag at byte {pos}"))?.children.push(done);
            }
            Event::Text(t) => top.text.push_str(&t.decode().map_err(|e| format!("bad text at byte {pos}: {e}"))?),
            Event::CData(t) => top.text.push_str(&t.decode().map_err(|e| format!("bad CDATA at byte {pos}: {e}"))?),
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(&r).into_owned();
                let resolved = quick_xml::escape::unescape(&format!("&{name};"))
                    .map_err(|e| format!("unknown entity &{name}; at byte {pos}: {e}"))?
                    .into_owned();
                top.text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("the XML ends before every element is closed".into());
    }
    stack.pop().and_then(|root| root.children.into_iter().next()).ok_or_else(|| "no root element".into())
}

fn err(file: &str, field: &str, reason: impl Into<String>) -> InputError {
    InputError::new(file, reason).field(field)
}

fn time(s: Option<&str>, file: &str, field: &str) -> Result<Option<DateTime<Utc>>, InputError> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| err(file, field, format!("{s:?} is not a CAP date-time (2026-11-27T16:00:00-06:00)")))
    })
    .transpose()
}

/// Turns a CAP identifier into a Faro id, one to one: `cap:` and the identifier with `%`
/// and every byte outside printable ASCII percent-escaped (`alerta-ñ` ->
/// `cap:alerta-%C3%B1`), so that identifiers differing in any character stay apart; an
/// identifier that already is a `namespace:local` id is kept as it is, unless it has that
/// escaped form itself (then it is escaped too, so that it cannot take another alert's id).
/// An identifier too long for an id once escaped is refused, not cut.
fn faro_id(identifier: &str) -> Result<String, String> {
    if check_id(identifier).is_ok() && unescape(identifier).is_none() {
        return Ok(identifier.to_string());
    }
    let id = escape_id(identifier);
    match check_id(&id) {
        Ok(()) => Ok(id),
        Err(_) => Err(format!("is {} bytes long as a Faro id (escaped), the limit is {MAX_ID_LEN}", id.len())),
    }
}

/// `cap:` and `identifier` with `%` and bytes outside printable ASCII written `%XX`.
fn escape_id(identifier: &str) -> String {
    let mut id = String::from("cap:");
    for b in identifier.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            id.push(char::from(b));
        } else {
            id.push_str(&format!("%{b:02X}"));
        }
    }
    id
}

/// The identifier `id` is the [`escape_id`] of, if it is one.
fn unescape(id: &str) -> Option<String> {
    let rest = id.strip_prefix("cap:")?;
    let mut bytes = Vec::with_capacity(rest.len());
    let mut it = rest.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next()?, it.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok().filter(|identifier| escape_id(identifier) == id)
}

/// The CAP identifier of a Faro id: the inverse of [`faro_id`], so that an exported alert
/// imports back under the same id.
fn cap_identifier(id: &str) -> String {
    match unescape(id) {
        Some(identifier) if faro_id(&identifier).as_deref() == Ok(id) => identifier,
        _ => id.to_string(),
    }
}

fn severity_from_cap(s: &str) -> Severity {
    Severity::parse(&s.to_ascii_lowercase()).unwrap_or(Severity::Unknown)
}

fn cap_severity(s: Severity) -> &'static str {
    match s {
        Severity::Extreme => "Extreme",
        Severity::Severe => "Severe",
        Severity::Moderate => "Moderate",
        Severity::Minor => "Minor",
        Severity::Unknown => "Unknown",
    }
}

/// Reads one CAP 1.2 `<alert>` as a warning. `file` names the input in errors.
pub fn parse_alert(xml: &str, file: &str) -> Result<Warning, InputError> {
    let alert = parse_tree(xml).map_err(|e| InputError::new(file, e))?;
    if alert.name != "alert" {
        return Err(InputError::new(file, format!("the root element is <{}>, not a CAP <alert>", alert.name)));
    }
    let get = |name: &str| alert.text_of(name).ok_or_else(|| err(file, name, "is required in a CAP alert"));
    let identifier = get("identifier")?;
    let sender = get("sender")?;
    // CAP 1.2 (3.2.1): no spaces, commas or restricted characters, so that a Cancel's
    // "sender,identifier,sent" reference can be written and read back.
    if sender.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '<' | '&')) {
        return Err(err(file, "sender", "must not contain spaces, commas, control characters, < or & (CAP 1.2)"));
    }
    let sent = time(Some(get("sent")?), file, "sent")?;
    let status = get("status")?;
    if status != "Actual" {
        return Err(err(
            file,
            "status",
            format!("{status:?}: only Actual alerts become warnings (not exercises or tests)"),
        ));
    }
    let msg_type = get("msgType")?;
    let withdrawn = match msg_type {
        "Alert" | "Update" => false,
        "Cancel" => true,
        other => return Err(err(file, "msgType", format!("{other:?} is not imported (Alert, Update or Cancel)"))),
    };
    // A Cancel withdraws the alert it references ("sender,identifier,sent").
    let id = match (withdrawn, alert.text_of("references")) {
        (true, Some(refs)) => {
            let first = refs.split_whitespace().next().unwrap_or(refs);
            let referenced =
                first.split(',').nth(1).ok_or_else(|| err(file, "references", "expected sender,identifier,sent"))?;
            faro_id(referenced).map_err(|e| err(file, "references", format!("its identifier {e}")))?
        }
        _ => faro_id(identifier).map_err(|e| err(file, "identifier", e))?,
    };
    let infos: Vec<&El> = alert.all("info").collect();
    let Some(first) = infos.first() else {
        return Err(err(file, "info", "a CAP alert needs at least one <info> block"));
    };
    let mut w = Warning {
        id,
        kind: WarningKind::Scam,
        severity: severity_from_cap(first.text_of("severity").unwrap_or("Unknown")),
        area: Area::default(),
        valid_from: sent.unwrap_or_default(),
        valid_until: None,
        withdrawn,
        headline: BTreeMap::new(),
        description: BTreeMap::new(),
        advice: BTreeMap::new(),
        indicators: Indicators::default(),
        issuer: Issuer { name: sender.to_string(), sender: Some(sender.to_string()), url: None },
        sent,
        related_listings: Vec::new(),
        demo: false,
    };
    let mut kind = None;
    for (i, info) in infos.iter().enumerate() {
        let field = |f: &str| format!("info[{i}].{f}");
        let lang_text = info.text_of("language").unwrap_or("en-US");
        let lang = LangTag::parse(lang_text).map_err(|e| err(file, &field("language"), e.to_string()))?;
        for (name, target) in
            [("headline", &mut w.headline), ("description", &mut w.description), ("instruction", &mut w.advice)]
        {
            if let Some(t) = info.text_of(name) {
                target.insert(lang.clone(), t.to_string());
            }
        }
        if let Some(t) = info.text_of("event").filter(|_| !w.headline.contains_key(&lang)) {
            w.headline.insert(lang.clone(), t.to_string());
        }
        if let Some(name) = info.text_of("senderName") {
            w.issuer.name = name.to_string();
        }
        if let Some(web) = info.text_of("web") {
            w.issuer.url = Some(web.to_string());
        }
        if let Some(t) = time(info.text_of("effective"), file, &field("effective"))? {
            w.valid_from = t;
        }
        w.valid_until = time(info.text_of("expires"), file, &field("expires"))?.or(w.valid_until);
        for p in info.all("parameter") {
            let (Some(name), Some(value)) = (p.text_of("valueName"), p.text_of("value")) else { continue };
            let ind = &mut w.indicators;
            match name {
                "faro:kind" => {
                    kind = Some(
                        WarningKind::parse(value)
                            .ok_or_else(|| err(file, &field("parameter"), format!("faro:kind {value:?} is unknown")))?,
                    )
                }
                "faro:phone" if !ind.phones.iter().any(|x| x == value) => ind.phones.push(value.into()),
                "faro:domain" if !ind.domains.iter().any(|x| x == value) => ind.domains.push(value.into()),
                "faro:email" if !ind.emails.iter().any(|x| x == value) => ind.emails.push(value.into()),
                "faro:name" if !ind.names.iter().any(|x| x == value) => ind.names.push(value.into()),
                "faro:handle" => {
                    let h = match value.split_once(':') {
                        Some((n, h)) => HandleIndicator { network: Some(n.into()), handle: h.into() },
                        None => HandleIndicator { network: None, handle: value.into() },
                    };
                    if !ind.handles.contains(&h) {
                        ind.handles.push(h);
                    }
                }
                "faro:listing" if !w.related_listings.iter().any(|x| x == value) => {
                    w.related_listings.push(value.into())
                }
                "faro:demo" => w.demo = value == "true",
                _ => {}
            }
        }
        if i == 0 {
            for (ai, area) in info.all("area").enumerate() {
                read_area(area, &mut w.area, &lang, file, &format!("info[0].area[{ai}]"))?;
            }
        }
    }
    w.kind = kind.unwrap_or(WarningKind::Scam);
    Ok(w)
}

fn read_area(area: &El, out: &mut Area, lang: &LangTag, file: &str, field: &str) -> Result<(), InputError> {
    if let Some(desc) = area.text_of("areaDesc") {
        out.description.entry(lang.clone()).or_insert_with(|| desc.to_string());
    }
    for c in area.all("circle") {
        let bad = || err(file, &format!("{field}.circle"), format!("{:?} is not \"lat,lon radius_km\"", c.text.trim()));
        let (center, radius) = c.text.trim().split_once(char::is_whitespace).ok_or_else(bad)?;
        let (lat, lon) = center.split_once(',').ok_or_else(bad)?;
        let parse = |s: &str| s.trim().parse::<f64>().map_err(|_| bad());
        out.circles.push(Circle { lat: parse(lat)?, lon: parse(lon)?, radius_km: parse(radius)? });
    }
    let mut polygons: Vec<Vec<Vec<[f64; 2]>>> = Vec::new();
    for p in area.all("polygon") {
        let mut ring = Vec::new();
        for pair in p.text.split_whitespace() {
            let bad = || err(file, &format!("{field}.polygon"), format!("{pair:?} is not \"lat,lon\""));
            let (lat, lon) = pair.split_once(',').ok_or_else(bad)?;
            ring.push([lon.parse::<f64>().map_err(|_| bad())?, lat.parse::<f64>().map_err(|_| bad())?]);
        }
        polygons.push(vec![ring]);
    }
    if !polygons.is_empty() {
        if let Some(old) = out.geometry.take() {
            polygons.extend(old.polygons().into_iter().cloned());
        }
        out.geometry = Some(if polygons.len() == 1 {
            Geometry::Polygon { coordinates: polygons.remove(0) }
        } else {
            Geometry::MultiPolygon { coordinates: polygons }
        });
    }
    for g in area.all("geocode") {
        if g.text_of("valueName") == Some("ISO3166-1") {
            let v = g.text_of("value").unwrap_or("");
            let code = CountryCode::parse(v)
                .ok_or_else(|| err(file, &format!("{field}.geocode"), format!("{v:?} is not an ISO 3166-1 code")))?;
            if !out.countries.contains(&code) {
                out.countries.push(code);
            }
        }
    }
    Ok(())
}

fn tag(out: &mut String, indent: usize, name: &str, value: &str) {
    out.push_str(&format!("{}<{name}>{}</{name}>\n", "  ".repeat(indent), escape(value)));
}

fn cap_time(t: DateTime<Utc>) -> String {
    // CAP forbids "Z": the offset is written as -00:00 or +00:00.
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

fn languages(w: &Warning) -> Vec<&LangTag> {
    let mut langs: Vec<&LangTag> = w.headline.keys().chain(w.description.keys()).chain(w.advice.keys()).collect();
    langs.sort();
    langs.dedup();
    langs
}

/// Writes `w` as a CAP 1.2 `<alert>` (one `<info>` per language); `at` is the `sent` time
/// when the warning has none.
pub fn to_cap(w: &Warning, at: DateTime<Utc>) -> String {
    // Without a sender, the issuer's name with what CAP forbids in a sender (spaces, commas,
    // < and &) made hyphens, so that a Cancel's reference reads back.
    let sender = w.issuer.sender.clone().unwrap_or_else(|| {
        w.issuer
            .name
            .chars()
            .map(|c| if c.is_whitespace() || c.is_control() || matches!(c, ',' | '<' | '&') { '-' } else { c })
            .collect()
    });
    let sent = w.sent.unwrap_or(at);
    let mut x = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"{CAP_NS}\">\n");
    let identifier = cap_identifier(&w.id);
    tag(&mut x, 1, "identifier", &identifier);
    tag(&mut x, 1, "sender", &sender);
    tag(&mut x, 1, "sent", &cap_time(sent));
    tag(&mut x, 1, "status", "Actual");
    tag(&mut x, 1, "msgType", if w.withdrawn { "Cancel" } else { "Alert" });
    tag(&mut x, 1, "scope", "Public");
    if w.withdrawn {
        tag(&mut x, 1, "references", &format!("{sender},{identifier},{}", cap_time(sent)));
    }
    for lang in languages(w) {
        let pick = |t: &BTreeMap<LangTag, String>| t.get(lang).cloned();
        x.push_str("  <info>\n");
        tag(&mut x, 2, "language", lang.as_str());
        let category = if w.kind == WarningKind::DangerousRoute { "Safety" } else { "Security" };
        tag(&mut x, 2, "category", category);
        tag(&mut x, 2, "event", w.kind.as_str());
        tag(&mut x, 2, "urgency", "Expected");
        tag(&mut x, 2, "severity", cap_severity(w.severity));
        tag(&mut x, 2, "certainty", "Likely");
        tag(&mut x, 2, "effective", &cap_time(w.valid_from));
        if let Some(u) = w.valid_until {
            tag(&mut x, 2, "expires", &cap_time(u));
        }
        tag(&mut x, 2, "senderName", &w.issuer.name);
        for (name, text) in [("headline", &w.headline), ("description", &w.description), ("instruction", &w.advice)] {
            if let Some(t) = pick(text) {
                tag(&mut x, 2, name, &t);
            }
        }
        if let Some(url) = &w.issuer.url {
            tag(&mut x, 2, "web", url);
        }
        let i = &w.indicators;
        let mut params: Vec<(&str, String)> = vec![("faro:kind", w.kind.as_str().to_string())];
        params.extend(i.phones.iter().map(|v| ("faro:phone", v.clone())));
        params.extend(i.domains.iter().map(|v| ("faro:domain", v.clone())));
        params.extend(i.emails.iter().map(|v| ("faro:email", v.clone())));
        params.extend(i.handles.iter().map(|h| match &h.network {
            Some(n) => ("faro:handle", format!("{n}:{}", h.handle)),
            None => ("faro:handle", h.handle.clone()),
        }));
        params.extend(i.names.iter().map(|v| ("faro:name", v.clone())));
        params.extend(w.related_listings.iter().map(|v| ("faro:listing", v.clone())));
        if w.demo {
            params.push(("faro:demo", "true".into()));
        }
        for (name, value) in params {
            x.push_str("    <parameter>\n");
            tag(&mut x, 3, "valueName", name);
            tag(&mut x, 3, "value", &value);
            x.push_str("    </parameter>\n");
        }
        x.push_str("    <area>\n");
        let desc = pick(&w.area.description).or_else(|| w.area.description.values().next().cloned());
        tag(
            &mut x,
            3,
            "areaDesc",
            &desc.unwrap_or_else(|| w.area.countries.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")),
        );
        if let Some(g) = &w.area.geometry {
            for polygon in g.polygons() {
                if let Some(outline) = polygon.first() {
                    let pairs: Vec<String> = outline.iter().map(|[lon, lat]| format!("{lat},{lon}")).collect();
                    tag(&mut x, 3, "polygon", &pairs.join(" "));
                }
            }
        }
        for c in &w.area.circles {
            tag(&mut x, 3, "circle", &format!("{},{} {}", c.lat, c.lon, c.radius_km));
        }
        for c in &w.area.countries {
            x.push_str("      <geocode>\n");
            tag(&mut x, 4, "valueName", "ISO3166-1");
            tag(&mut x, 4, "value", c.as_str());
            x.push_str("      </geocode>\n");
        }
        x.push_str("    </area>\n  </info>\n");
    }
    x.push_str("</alert>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warnings::tests::sample;

    #[test]
    fn round_trip_keeps_every_faro_field() {
        let mut w = sample().normalized().unwrap();
        w.sent = Some("2026-11-02T10:00:00Z".parse().unwrap());
        w.issuer.sender = Some("alertas@example.org".into());
        w.area.geometry = Some(Geometry::Polygon {
            coordinates: vec![vec![[-92.3, 14.6], [-92.1, 14.6], [-92.1, 14.8], [-92.3, 14.8], [-92.3, 14.6]]],
        });
        let xml = to_cap(&w, Utc::now());
        let mut back = parse_alert(&xml, "x.xml").unwrap();
        assert_eq!(back.issuer.name, w.issuer.name);
        back.issuer = w.issuer.clone();
        back.area.description = w.area.description.clone();
        assert_eq!(back, w);
        let cancel = Warning { withdrawn: true, ..w.clone() };
        let back = parse_alert(&to_cap(&cancel, Utc::now()), "x.xml").unwrap();
        assert!(back.withdrawn);
        assert_eq!(back.id, w.id);
        // Without a sender the name stands in, made fit for a reference ("Alertas, Demo" has
        // a space and a comma), and a Cancel still reads back.
        let mut unsent = Warning { withdrawn: true, ..w.clone() };
        unsent.issuer.sender = None;
        unsent.issuer.name = "Alertas, Demo & co".into();
        let back = parse_alert(&to_cap(&unsent, Utc::now()), "x.xml").unwrap();
        assert_eq!((back.id.as_str(), back.issuer.sender.as_deref()), (w.id.as_str(), Some("Alertas--Demo---co")));
    }

    fn alert(identifier: &str) -> String {
        let w = Warning { id: "demo:x".into(), ..sample() };
        to_cap(&w, Utc::now())
            .replace("<identifier>demo:x</identifier>", &format!("<identifier>{identifier}</identifier>"))
    }

    #[test]
    fn identifiers_map_one_to_one() {
        let ids: Vec<String> =
            ["alerta-ñ", "alerta-ü", "alerta-_", "alerta-%C3%B1", "cap:alerta-%C3%B1", "a b", "a%20b"]
                .iter()
                .map(|i| parse_alert(&alert(i), "a.xml").unwrap().id)
                .collect();
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), ids.len(), "{ids:?}");
        assert_eq!(ids[0], "cap:alerta-%C3%B1");
        // Exported alerts import back under the same id.
        for id in ids.iter().chain(["demo:x", "cap:hand-made", "cap:%zz"].map(String::from).iter()) {
            let mut w = Warning { id: id.clone(), ..sample() };
            w.issuer.sender = Some("alertas@example.org".into());
            assert_eq!(&parse_alert(&to_cap(&w, Utc::now()), "a.xml").unwrap().id, id);
            // CAP references are separated by spaces: identifiers with spaces cannot be referenced.
            if !id.contains("%20") {
                let cancel = Warning { withdrawn: true, ..w };
                assert_eq!(&parse_alert(&to_cap(&cancel, Utc::now()), "a.xml").unwrap().id, id);
            }
        }
        let e = parse_alert(&alert(&"ñ".repeat(30)), "a.xml").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("identifier"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let xml = format!("<alert>{}{}</alert>", "<a>".repeat(200_000), "</a>".repeat(200_000));
        let e = parse_alert(&xml, "deep.xml").unwrap_err();
        assert!(e.to_string().contains("nested more than 16 deep at byte 52"), "{e}");
    }

    #[test]
    fn bad_xml_is_located() {
        let e = parse_alert("<alert><identifier>x</alert>", "a.xml").unwrap_err();
        assert!(e.to_string().starts_with("a.xml: not well-formed XML at byte"), "{e}");
        let e = parse_alert("<feed/>", "a.xml").unwrap_err();
        assert!(e.to_string().contains("not a CAP <alert>"), "{e}");
        let e =
            parse_alert(&format!("<alert xmlns=\"{CAP_NS}\"><identifier>a</identifier></alert>"), "a.xml").unwrap_err();
        assert_eq!(e.to_string(), "a.xml: field sender: is required in a CAP alert");
        // A sender a Cancel's reference could not carry is refused (found by fuzzing).
        for bad in ["alertas dem@example.org", "a,b@example.org", "a\u{0}b@example.org"] {
            let mut w = sample();
            w.issuer.sender = Some("alertas@example.org".into());
            let xml = to_cap(&w, Utc::now()).replace("alertas@example.org", bad);
            let e = parse_alert(&xml, "a.xml").unwrap_err().to_string();
            assert!(e.starts_with("a.xml: field sender: must not contain spaces"), "{bad:?}: {e}");
        }
    }
}
