//! Words for kinds and service codes in the route's languages (es, en, fr, ht, pt).
//!
//! They are indexed with every listing, so that "asilo", "azil" or "asylum" finds a listing
//! coded `asylum_help` even when its own text uses other words, and they label codes in the
//! CLI. Search matches without accents and by prefix, so one form per language suffices.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_labelled_in_every_route_language() {
        for kind in Kind::ALL {
            let langs: Vec<_> = kind_words(kind).iter().map(|(l, _)| *l).collect();
            assert_eq!(langs, ["en", "es", "fr", "ht", "pt"], "{kind}");
        }
    }

    #[test]
    fn every_service_has_words() {
        for code in ServiceCode::ALL {
            assert!(service_words(*code).split(' ').count() >= 3, "{code}");
        }
    }
}
