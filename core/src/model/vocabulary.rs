//! Words for kinds and service codes in the route's languages (es, en, fr, ht, pt).
//!
//! The search index stores one token per code ([`kind_token`], [`service_token`]); a typed
//! word that starts one of these words ([`codes_matching`]) also matches the code, so that
//! "asilo", "azil" or "asylum" find a listing coded `asylum_help` even when its own text
//! uses other words. They also label codes in the CLI. Matching ignores case and accents
//! and works by prefix, so one form per language suffices.

use super::{Kind, ServiceCode};

/// Labels of a kind: `(language, words)`, the first entry per language being the label.
pub fn kind_words(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
        Kind::Consulate => &[
            ("en", "consulate embassy"),
            ("es", "consulado embajada"),
            ("fr", "consulat ambassade"),
            ("ht", "konsila anbasad"),
            ("pt", "consulado embaixada"),
        ],
        Kind::LegalAid => &[
            ("en", "legal aid lawyer"),
            ("es", "asesoría jurídica ayuda legal abogado"),
            ("fr", "aide juridique avocat"),
            ("ht", "èd legal asistans jiridik avoka"),
            ("pt", "assistência jurídica advogado"),
        ],
        Kind::Health => &[
            ("en", "health clinic doctor"),
            ("es", "salud clínica médico"),
            ("fr", "santé clinique médecin"),
            ("ht", "sante klinik doktè"),
            ("pt", "saúde clínica médico"),
        ],
        Kind::Shelter => &[
            ("en", "shelter"),
            ("es", "albergue refugio casa del migrante"),
            ("fr", "abri hébergement"),
            ("ht", "abri lojman"),
            ("pt", "abrigo albergue"),
        ],
    }
}

/// Search words for a service code in every language, space-separated.
pub fn service_words(code: ServiceCode) -> &'static str {
    use ServiceCode::*;
    match code {
        AsylumHelp => "asylum refugee asilo refugio refugiado asile réfugié azil refijye",
        DetentionSupport => "detention detención detenido estación migratoria détention detansyon prisão",
        IdDocuments => {
            "documents identity passport documentos identidad pasaporte papiers passeport papye paspò documentos"
        }
        Repatriation => "repatriation return repatriación retorno rapatriement retou repatriação",
        LegalAdvice => "legal advice asesoría legal conseil juridique konsèy legal orientação jurídica",
        LegalRepresentation => "representation lawyer representación abogado avocat avoka advogado",
        TraffickingVictimSupport => "trafficking trata víctimas traite trafik tráfico",
        EmergencyCare => "emergency urgencias emergencia urgence ijans emergência",
        PrimaryCare => "primary care doctor consulta médica médecin doktè médico",
        SexualReproductiveHealth => {
            "sexual reproductive prenatal pregnancy salud sexual embarazo grossesse ansent gravidez"
        }
        MentalHealth => "mental health psychosocial salud mental psicológico santé mentale sante mantal saúde mental",
        Vaccination => "vaccination vaccine vacunas vacunación vaccin vaksen vacina",
        GbvSupport => "gender violence violencia de género violence sexiste vyolans fanm violência",
        ChildProtection => "child protection children niñez niños protección enfance enfant timoun criança",
        Shelter => "shelter albergue refugio hébergement abri lojman abrigo",
        Food => "food meals comida alimentos nourriture repas manje comida",
        FamilyContact => "phone call internet charging llamada teléfono appel téléphone rele telefòn ligação",
        FamilyTracing => "family tracing missing búsqueda familiares desaparecidos famille disparus fanmi",
        HumanitarianAid => "humanitarian aid ayuda humanitaria aide humanitaire èd imanitè ajuda humanitária",
    }
}

/// The index token of a kind: `kindlegalaid` (letters only, so the tokenizer keeps it whole).
pub fn kind_token(kind: Kind) -> String {
    let mut out = String::new();
    push_token(&mut out, "kind", kind.as_str());
    out
}

/// The index token of a service code: `svcasylumhelp`.
pub fn service_token(code: ServiceCode) -> String {
    let mut out = String::new();
    push_token(&mut out, "svc", code.as_str());
    out
}

/// Appends the index token `prefix` + `code` without its underscores to `out`.
pub fn push_token(out: &mut String, prefix: &str, code: &str) {
    out.push_str(prefix);
    // Runs for every code of every record indexed: whole pieces, not a char at a time.
    for piece in code.split('_') {
        out.push_str(piece);
    }
}

/// Shortest typed word that is expanded to codes (shorter prefixes match too much).
pub const MIN_EXPANDED_PREFIX: usize = 3;

/// Index tokens of every kind and service with a word starting with `typed` (case and
/// accents ignored); empty for words shorter than [`MIN_EXPANDED_PREFIX`].
pub fn codes_matching(typed: &str) -> Vec<String> {
    let typed = fold(typed);
    if typed.chars().count() < MIN_EXPANDED_PREFIX {
        return Vec::new();
    }
    let starts = |words: &str| fold(words).split(' ').any(|w| w.starts_with(&typed));
    let mut out: Vec<String> =
        Kind::ALL.iter().copied().filter(|k| kind_words(*k).iter().any(|(_, w)| starts(w))).map(kind_token).collect();
    out.extend(ServiceCode::ALL.iter().filter(|c| starts(service_words(**c))).map(|c| service_token(*c)));
    out
}

/// Lower case without the accents of the Latin letters our five languages use, matching
/// what the index's `remove_diacritics` does to the same words (defined in `lang`, which
/// folds language names with it too).
pub use crate::lang::fold;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_labelled_in_every_route_language() {
        for &kind in Kind::ALL {
            let langs: Vec<_> = kind_words(kind).iter().map(|(l, _)| *l).collect();
            assert_eq!(langs, ["en", "es", "fr", "ht", "pt"], "{kind}");
        }
    }

    #[test]
    fn typed_words_find_codes_in_any_language_without_accents() {
        assert!(codes_matching("azil").contains(&"svcasylumhelp".to_string()));
        assert!(codes_matching("ASILO").contains(&"svcasylumhelp".to_string()));
        assert!(codes_matching("sante").contains(&"kindhealth".to_string()));
        assert!(codes_matching("juridica").contains(&"kindlegalaid".to_string()));
        assert!(codes_matching("vacun").contains(&"svcvaccination".to_string()));
        assert!(codes_matching("as").is_empty(), "too short to expand");
        assert!(codes_matching("zzzz").is_empty());
    }

    #[test]
    fn tokens_are_single_words() {
        for &kind in Kind::ALL {
            assert!(kind_token(kind).chars().all(|c| c.is_ascii_lowercase()));
        }
        for code in ServiceCode::ALL {
            assert!(service_token(*code).chars().all(|c| c.is_ascii_lowercase()));
        }
    }

    #[test]
    fn every_service_has_words() {
        for code in ServiceCode::ALL {
            assert!(service_words(*code).split(' ').count() >= 3, "{code}");
        }
    }
}
