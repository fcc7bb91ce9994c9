//! The CLI's fixed words (headings, labels, open/closed, "no results", kind and severity
//! names) in the five languages of the route: es, en, fr, ht, pt. A compiled-in table keyed
//! by message id, one column per language (ADR 0019): a few dozen short phrases do not need
//! a localization framework. The interface language is the first of these five in the
//! `--lang` the person gave; without `--lang`, English. JSON output is never localized.

use std::sync::OnceLock;

use faro_core::LangPrefs;

/// The languages the CLI speaks, in the order of the table's columns.
pub const LANGS: [&str; 5] = ["es", "en", "fr", "ht", "pt"];

/// Column of English, the interface language when none is asked for.
const EN: usize = 1;

static UI: OnceLock<usize> = OnceLock::new();

/// Sets the interface language from the person's `--lang`: the first language of the chain
/// the CLI speaks (English if none). Called once, before anything is printed.
pub fn set(langs: &LangPrefs) {
    let col = langs.tags().iter().find_map(|t| LANGS.iter().position(|l| *l == t.primary())).unwrap_or(EN);
    let _ = UI.set(col);
}

fn column() -> usize {
    *UI.get().unwrap_or(&EN)
}

/// Checks that a `--lang` chain only names languages the CLI and the data know, so that a
/// typo (`kreyol`, `english`) is refused instead of silently showing another language.
pub fn check_known(langs: &LangPrefs) -> Result<(), String> {
    match langs.tags().iter().find(|t| !LANGS.contains(&t.primary())) {
        Some(t) => Err(format!("unknown language {:?}; known languages: {}", t.as_str(), LANGS.join(", "))),
        None => Ok(()),
    }
}

/// The message `id` in the interface language. An unknown id is a bug: the id itself is
/// shown (the catalogue test lists every id used).
pub fn t(id: &str) -> &'static str {
    match CATALOGUE.iter().find(|(k, _)| *k == id) {
        Some((_, cols)) => cols[column()],
        None => {
            debug_assert!(false, "no message {id:?} in the catalogue");
            ""
        }
    }
}

/// The message `id` with each `{}` replaced by the next of `args`, in order.
pub fn f(id: &str, args: &[&str]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut parts = t(id).split("{}").peekable();
    while let Some(p) = parts.next() {
        out.push_str(p);
        if parts.peek().is_some() {
            out.push_str(args.next().copied().unwrap_or(""));
        }
    }
    out
}

/// A local time for a person: "Fri 27 Nov 17:00" in English, the weekday in the interface
/// language and a day/month date otherwise ("ven 27/11 17:00").
pub fn when(t: chrono::NaiveDateTime) -> String {
    use chrono::Datelike;
    if column() == EN {
        return t.format("%a %d %b %H:%M").to_string();
    }
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][t.weekday().num_days_from_monday() as usize];
    format!("{} {}", self::t(day), t.format("%d/%m %H:%M"))
}

/// Message id -> text in es, en, fr, ht, pt.
static CATALOGUE: &[(&str, [&str; 5])] = &[
    // Errors a person acts on differently (main): a line in their language before the
    // English detail meant for support (ADR 0025).
    ("error_damaged", [
        "los datos guardados están dañados; no se cambió nada: sincronice de nuevo en un archivo nuevo o restaure una copia de seguridad",
        "the stored data is damaged; nothing was changed: sync again into a new file, or restore a backup",
        "les données enregistrées sont endommagées ; rien n'a été modifié : synchronisez de nouveau dans un nouveau fichier ou restaurez une sauvegarde",
        "done ki anrejistre yo domaje; anyen pa chanje: senkronize ankò nan yon nouvo fichye, oswa remete yon kopi sekirite",
        "os dados guardados estão danificados; nada foi alterado: sincronize de novo num arquivo novo ou restaure uma cópia de segurança",
    ]),
    ("error_bundle", [
        "el paquete no se pudo verificar (dañado, alterado o no es un paquete de Faro); no se importó nada",
        "the bundle could not be verified (damaged, altered, or not a Faro bundle); nothing was imported",
        "le paquet n'a pas pu être vérifié (endommagé, modifié ou pas un paquet Faro) ; rien n'a été importé",
        "nou pa t ka verifye pakè a (li domaje, yo chanje l, oswa se pa yon pakè Faro); anyen pa enpòte",
        "o pacote não pôde ser verificado (danificado, alterado ou não é um pacote do Faro); nada foi importado",
    ]),
    ("error_internal", [
        "error interno de Faro; por favor, repórtelo (el detalle no contiene datos personales)",
        "an internal error in Faro; please report it (the details contain no personal data)",
        "erreur interne de Faro ; merci de la signaler (le détail ne contient aucune donnée personnelle)",
        "yon erè anndan Faro; tanpri siyale l (detay yo pa gen okenn done pèsonèl)",
        "erro interno do Faro; por favor, informe-o (o detalhe não contém dados pessoais)",
    ]),
    // Import.
    (
        "osm_attribution",
        [
            "Datos © colaboradores de OpenStreetMap, licencia ODbL 1.0 ({}): cítelos donde muestre o publique estas fichas",
            "Data © OpenStreetMap contributors, licensed ODbL 1.0 ({}): credit them wherever you show or publish these listings",
            "Données © contributeurs d'OpenStreetMap, licence ODbL 1.0 ({}) : citez-les partout où vous montrez ou publiez ces fiches",
            "Done © kontribitè OpenStreetMap, lisans ODbL 1.0 ({}): site yo tout kote ou montre oswa pibliye fich sa yo",
            "Dados © colaboradores do OpenStreetMap, licença ODbL 1.0 ({}): cite-os onde mostrar ou publicar estas fichas",
        ],
    ),
    // What a repository offers, and choosing by region (faro datasets, faro sync).
    ("sync_nothing_chosen", [
        "todavía no eligió ningún conjunto de datos. Vea lo que ofrece el repositorio: faro datasets --db {} --url {}\nLuego elija con faro sync: por nombre (--dataset directory/mx), por país (--country mx,gt) o cerca de un lugar (--near LAT,LON --radius-km 50)",
        "no datasets chosen yet. See what the repository offers: faro datasets --db {} --url {}\nThen choose on faro sync: by name (--dataset directory/mx), by country (--country mx,gt) or near a place (--near LAT,LON --radius-km 50)",
        "aucun jeu de données choisi pour l'instant. Voyez ce que le dépôt propose : faro datasets --db {} --url {}\nPuis choisissez avec faro sync : par nom (--dataset directory/mx), par pays (--country mx,gt) ou près d'un lieu (--near LAT,LON --radius-km 50)",
        "ou poko chwazi okenn ansanm done. Gade sa depo a ofri: faro datasets --db {} --url {}\nApre sa chwazi ak faro sync: pa non (--dataset directory/mx), pa peyi (--country mx,gt) oswa toupre yon kote (--near LAT,LON --radius-km 50)",
        "ainda não escolheu nenhum conjunto de dados. Veja o que o repositório oferece: faro datasets --db {} --url {}\nDepois escolha com faro sync: pelo nome (--dataset directory/mx), pelo país (--country mx,gt) ou perto de um lugar (--near LAT,LON --radius-km 50)",
    ]),
    ("ds_none", ["el repositorio no ofrece ningún conjunto de datos", "the repository offers no datasets", "le dépôt ne propose aucun jeu de données", "depo a pa ofri okenn ansanm done", "o repositório não oferece nenhum conjunto de dados"]),
    ("ds_records", ["{} registros", "{} records", "{} fiches", "{} fich", "{} registros"]),
    ("ds_by", ["de {}", "by {}", "par {}", "pa {}", "de {}"]),
    ("ds_demo", ["demostración", "demo", "démo", "demonstrasyon", "demonstração"]),
    ("ds_subscribed", ["suscrito", "subscribed", "abonné", "abòne", "inscrito"]),
    ("ds_subscribed_held", ["suscrito, {} aquí", "subscribed, {} here", "abonné, {} ici", "abòne, {} isit", "inscrito, {} aqui"]),
    ("ds_everywhere", ["en todas partes", "everywhere", "partout", "tout kote", "em todo lugar"]),
    ("ds_region_from_name", ["{} (según el nombre)", "{} (from the name)", "{} (d'après le nom)", "{} (dapre non an)", "{} (pelo nome)"]),
    ("ds_region_unknown", ["región desconocida", "region unknown", "région inconnue", "rejyon an pa konnen", "região desconhecida"]),
    ("ds_refused", ["no se ofrece {}: {}", "not offered: {}: {}", "non proposé : {} : {}", "pa ofri: {}: {}", "não oferecido: {}: {}"]),
    ("ds_chosen", ["elegidos: {}", "chosen: {}", "choisis : {}", "chwazi: {}", "escolhidos: {}"]),
    ("ds_unplaced", [
        "sin región firmada, no se pueden ubicar (elíjalos por nombre si los necesita): {}",
        "no signed region, so they cannot be placed (choose them by name if you need them): {}",
        "sans région signée, impossible de les situer (choisissez-les par nom si besoin) : {}",
        "yo pa gen rejyon ki siyen, kidonk nou pa ka plase yo (chwazi yo pa non si ou bezwen yo): {}",
        "sem região assinada, não podem ser situados (escolha-os pelo nome se precisar): {}",
    ]),
    ("ds_nothing_there", [
        "ningún conjunto de datos de {} cubre ese lugar; vea la lista con faro datasets",
        "no dataset of {} covers that place; see the list with faro datasets",
        "aucun jeu de données de {} ne couvre ce lieu ; voyez la liste avec faro datasets",
        "okenn ansanm done nan {} pa kouvri kote sa a; gade lis la ak faro datasets",
        "nenhum conjunto de dados de {} cobre esse lugar; veja a lista com faro datasets",
    ]),
    ("ds_bad_country", [
        "{} no es un código de país (ISO 3166-1, p. ej. mx,gt)",
        "{} is not a country code (ISO 3166-1, e.g. mx,gt)",
        "{} n'est pas un code de pays (ISO 3166-1, p. ex. mx,gt)",
        "{} se pa yon kòd peyi (ISO 3166-1, pa egzanp mx,gt)",
        "{} não é um código de país (ISO 3166-1, p. ex. mx,gt)",
    ]),
    ("ds_bad_choice", [
        "elija por --country, o por --near LAT,LON con --radius-km mayor que cero, no ambos",
        "choose by --country, or by --near LAT,LON with --radius-km above zero, not both",
        "choisissez par --country, ou par --near LAT,LON avec --radius-km supérieur à zéro, pas les deux",
        "chwazi pa --country, oswa pa --near LAT,LON ak --radius-km ki pi gran pase zewo, pa toude",
        "escolha por --country, ou por --near LAT,LON com --radius-km maior que zero, não ambos",
    ]),
    (
        "import_deleted",
        [
            "{} fichas borradas: el archivo ya no las tiene (--replace)",
            "{} listings deleted: the file no longer has them (--replace)",
            "{} fiches supprimées : le fichier ne les contient plus (--replace)",
            "{} fich efase: fichye a pa genyen yo ankò (--replace)",
            "{} fichas apagadas: o arquivo não as tem mais (--replace)",
        ],
    ),
    (
        "import_set_aside",
        [
            "aviso: {} de {} filas apartadas por inverosímiles (coordenadas fuera de su país); ver abajo",
            "warning: {} of {} rows set aside as implausible (coordinates outside their country); see below",
            "attention : {} lignes sur {} mises de côté comme invraisemblables (coordonnées hors de leur pays) ; voir plus bas",
            "atansyon: {} liy sou {} mete sou kote paske yo pa kredib (kowòdone deyò peyi yo); gade anba a",
            "aviso: {} de {} linhas separadas como implausíveis (coordenadas fora do seu país); ver abaixo",
        ],
    ),
    (
        "import_dry_run",
        [
            "{}: {} fichas revisadas, todas importables en el conjunto {}; no se escribió nada (--dry-run)",
            "{}: {} listings checked, all importable into dataset {}; nothing was written (--dry-run)",
            "{} : {} fiches vérifiées, toutes importables dans le jeu {} ; rien n'a été écrit (--dry-run)",
            "{}: {} fich verifye, yo tout ka antre nan done {}; anyen pa t ekri (--dry-run)",
            "{}: {} fichas verificadas, todas importáveis no conjunto {}; nada foi escrito (--dry-run)",
        ],
    ),
    (
        "converted_set_aside",
        [
            "aviso: {} elementos apartados (no importados); cada uno con su lugar y motivo:",
            "warning: {} items set aside (not imported); each with its place and reason:",
            "attention : {} éléments mis de côté (non importés) ; chacun avec son emplacement et sa raison :",
            "atansyon: {} eleman mete sou kote (pa enpòte); chak ak kote li ye ak rezon an:",
            "aviso: {} itens separados (não importados); cada um com seu lugar e motivo:",
        ],
    ),
    (
        "hsds_export_one_dataset",
        [
            "--format hsds exporta un conjunto de datos: indique uno con --dataset",
            "--format hsds exports one dataset: name it with --dataset",
            "--format hsds exporte un seul jeu de données : indiquez-le avec --dataset",
            "--format hsds ekspòte yon sèl ansanm done: bay non li ak --dataset",
            "--format hsds exporta um conjunto de dados: indique-o com --dataset",
        ],
    ),
    (
        "hsds_exported",
        [
            "{} fichas de {} escritas como paquete HSDS 3.0 en {} (textos en {})",
            "{} listings of {} written as an HSDS 3.0 package in {} (texts in {})",
            "{} fiches de {} écrites en paquet HSDS 3.0 dans {} (textes en {})",
            "{} fich nan {} ekri kòm pakè HSDS 3.0 nan {} (tèks an {})",
            "{} fichas de {} escritas como pacote HSDS 3.0 em {} (textos em {})",
        ],
    ),
    (
        "hsds_left_out",
        [
            "HSDS no tiene lugar para {} textos en otros idiomas y {} otros valores (docs/hsds.md); no se escribieron",
            "HSDS has no place for {} texts in other languages and {} other values (docs/hsds.md); they were not written",
            "HSDS n'a pas de place pour {} textes en d'autres langues et {} autres valeurs (docs/hsds.md) ; ils n'ont pas été écrits",
            "HSDS pa gen plas pou {} tèks nan lòt lang ak {} lòt valè (docs/hsds.md); yo pa t ekri",
            "HSDS não tem lugar para {} textos em outros idiomas e {} outros valores (docs/hsds.md); não foram escritos",
        ],
    ),
    // Opening hours.
    ("open_until", ["abierto hasta {}", "open until {}", "ouvert jusqu'à {}", "ouvè jiska {}", "aberto até {}"]),
    ("open_always", ["abierto (siempre)", "open (always)", "ouvert (toujours)", "ouvè (tout tan)", "aberto (sempre)"]),
    (
        "closed_opens",
        ["cerrado, abre {}", "closed, opens {}", "fermé, ouvre {}", "fèmen, ap ouvri {}", "fechado, abre {}"],
    ),
    ("closed", ["cerrado", "closed", "fermé", "fèmen", "fechado"]),
    (
        "hours_unknown",
        [
            "horario desconocido",
            "hours unknown",
            "horaires inconnus",
            "nou pa konnen lè yo ouvè",
            "horário desconhecido",
        ],
    ),
    ("active", ["activo", "active", "actif", "aktif", "ativo"]),
    (
        "temporarily_closed",
        [
            "cerrado temporalmente",
            "temporarily closed",
            "fermé temporairement",
            "fèmen pou kounye a",
            "fechado temporariamente",
        ],
    ),
    ("mon", ["lun", "Mon", "lun", "lendi", "seg"]),
    ("tue", ["mar", "Tue", "mar", "madi", "ter"]),
    ("wed", ["mié", "Wed", "mer", "mèkredi", "qua"]),
    ("thu", ["jue", "Thu", "jeu", "jedi", "qui"]),
    ("fri", ["vie", "Fri", "ven", "vandredi", "sex"]),
    ("sat", ["sáb", "Sat", "sam", "samdi", "sáb"]),
    ("sun", ["dom", "Sun", "dim", "dimanch", "dom"]),
    // Search results and listings.
    (
        "nothing_near",
        [
            "  Nada coincide en un radio de {} km; la coincidencia más cercana está a {} km:",
            "  Nothing matches within {} km; the nearest match is {} km away:",
            "  Aucun résultat à moins de {} km ; le plus proche est à {} km :",
            "  Pa gen anyen ki koresponn nan {} km; sa ki pi pre a se {} km lwen:",
            "  Nada corresponde num raio de {} km; o resultado mais próximo fica a {} km:",
        ],
    ),
    (
        "far_beyond",
        ["  A más de {} km:", "  More than {} km away:", "  À plus de {} km :", "  Plis pase {} km lwen:", "  A mais de {} km:"],
    ),
    ("far", ["lejos", "far", "loin", "lwen", "longe"]),
    (
        "demo_minors_none_near",
        [
            "  Ningún albergue cerca de Tijuana dice aceptar a menores no acompañados; los lejanos no son una respuesta \
             para un niño en Tijuana. Lugares a menos de 50 km con protección de la infancia, que pueden saber adónde \
             puede ir (llame antes):",
            "  No shelter near Tijuana says it takes unaccompanied minors; the far ones are no answer for a child in \
             Tijuana. Places within 50 km offering child protection, who may know where the child can go (call first):",
            "  Aucun abri près de Tijuana ne dit accueillir des mineurs non accompagnés ; les lointains ne sont pas une \
             réponse pour un enfant à Tijuana. Lieux à moins de 50 km offrant une protection de l'enfance, qui peuvent \
             savoir où il peut aller (appelez d'abord) :",
            "  Pa gen okenn abri toupre Tijuana ki di li resevwa timoun ki pou kont yo; sa ki lwen yo pa yon repons pou \
             yon timoun ki Tijuana. Kote nan 50 km ki bay pwoteksyon timoun, ki ka konnen ki kote timoun nan ka ale \
             (rele anvan):",
            "  Nenhum abrigo perto de Tijuana diz aceitar menores desacompanhados; os distantes não são resposta para \
             uma criança em Tijuana. Lugares a menos de 50 km com proteção infantil, que podem saber para onde ela pode \
             ir (ligue antes):",
        ],
    ),
    (
        "ph_no_country",
        [
            "Feriados no comprobados (las reglas PH nunca se aplican): indique --country CC.",
            "Public holidays not checked (PH rules never apply): give --country CC.",
            "Jours fériés non vérifiés (les règles PH ne s'appliquent jamais) : indiquez --country CC.",
            "Jou ferye pa verifye (règ PH yo pa janm aplike): bay --country CC.",
            "Feriados não verificados (as regras PH nunca se aplicam): indique --country CC.",
        ],
    ),
    (
        "ph_unknown_country",
        [
            "No hay calendario de feriados para {}: las reglas PH nunca se aplican.",
            "No public-holiday calendar for {}: PH rules never apply.",
            "Pas de calendrier des jours fériés pour {} : les règles PH ne s'appliquent jamais.",
            "Pa gen kalandriye jou ferye pou {}: règ PH yo pa janm aplike.",
            "Não há calendário de feriados para {}: as regras PH nunca se aplicam.",
        ],
    ),
    (
        "none_open_now",
        [
            "  Ninguno está abierto ahora. Estos coinciden; cada uno dice cuándo abre:",
            "  None is open now. These match; each says when it opens:",
            "  Aucun n'est ouvert maintenant. Ceux-ci correspondent ; chacun indique quand il ouvre :",
            "  Okenn pa louvri kounye a. Sa yo koresponn; chak di ki lè li louvri:",
            "  Nenhum está aberto agora. Estes correspondem; cada um diz quando abre:",
        ],
    ),
    (
        "none_open_at",
        [
            "  Ninguno está abierto a esa hora. Estos coinciden; cada uno dice cuándo abre:",
            "  None is open at that time. These match; each says when it opens:",
            "  Aucun n'est ouvert à cette heure. Ceux-ci correspondent ; chacun indique quand il ouvre :",
            "  Okenn pa louvri lè sa a. Sa yo koresponn; chak di ki lè li louvri:",
            "  Nenhum está aberto nesse horário. Estes correspondem; cada um diz quando abre:",
        ],
    ),
    (
        "no_results",
        ["  (sin resultados)", "  (no results)", "  (aucun résultat)", "  (pa gen rezilta)", "  (nenhum resultado)"],
    ),
    (
        "demo_data",
        [
            "[DATOS DE DEMOSTRACIÓN]",
            "[DEMO DATA]",
            "[DONNÉES DE DÉMONSTRATION]",
            "[DONE DEMONSTRASYON]",
            "[DADOS DE DEMONSTRAÇÃO]",
        ],
    ),
    ("verified_in", ["verificado: {}", "verified: {}", "vérifié : {}", "verifye: {}", "verificado: {}"]),
    (
        "local_import",
        [
            "IMPORTACIÓN LOCAL, no verificado: {}",
            "LOCAL IMPORT, not verified: {}",
            "IMPORT LOCAL, non vérifié : {}",
            "ENPÒTASYON LOKAL, pa verifye: {}",
            "IMPORTAÇÃO LOCAL, não verificado: {}",
        ],
    ),
    (
        "demo_listing",
        [
            "  DATOS DE DEMOSTRACIÓN: inventados para demostraciones, no es un servicio real",
            "  DEMO DATA: invented for demonstrations, not a real service",
            "  DONNÉES DE DÉMONSTRATION : inventées pour des démonstrations, pas un vrai service",
            "  DONE DEMONSTRASYON: envante pou demonstrasyon, se pa yon vrè sèvis",
            "  DADOS DE DEMONSTRAÇÃO: inventados para demonstrações, não é um serviço real",
        ],
    ),
    ("id", ["id", "id", "id", "id", "id"]),
    ("kind", ["tipo", "kind", "type", "kalite", "tipo"]),
    ("organization", ["organización", "organization", "organisation", "òganizasyon", "organização"]),
    ("represents", ["representa a", "represents", "représente", "reprezante", "representa"]),
    ("mission", ["misión", "mission", "mission", "misyon", "missão"]),
    ("consular", ["consular", "consular", "consulaire", "konsilè", "consular"]),
    ("status", ["estado", "status", "statut", "eta", "situação"]),
    ("status_note", ["nota", "status note", "note", "nòt", "nota"]),
    ("services", ["servicios", "services", "services", "sèvis", "serviços"]),
    ("description", ["descripción", "description", "description", "deskripsyon", "descrição"]),
    ("address", ["dirección", "address", "adresse", "adrès", "endereço"]),
    ("location", ["ubicación", "location", "position", "kote", "localização"]),
    ("phone", ["teléfono", "phone", "téléphone", "telefòn", "telefone"]),
    ("email", ["correo", "email", "courriel", "imèl", "e-mail"]),
    ("web", ["web", "web", "web", "sit entènèt", "site"]),
    ("social", ["redes", "social", "réseaux", "rezo sosyal", "redes"]),
    ("hours", ["horario", "hours", "horaires", "lè ouvè", "horário"]),
    ("languages", ["idiomas", "languages", "langues", "lang", "idiomas"]),
    ("cost", ["costo", "cost", "coût", "pri", "custo"]),
    ("serves", ["atiende a", "serves", "accueille", "sèvi", "atende"]),
    ("papers", ["papeles", "papers", "papiers", "papye", "documentos"]),
    ("eligibility", ["requisitos", "eligibility", "conditions", "kondisyon", "requisitos"]),
    ("access", ["accesibilidad", "access", "accessibilité", "aksè", "acessibilidade"]),
    ("verified", ["verificado", "verified", "vérifié", "verifye", "verificado"]),
    ("source", ["fuente", "source", "source", "sous", "fonte"]),
    ("unknown", ["desconocido", "unknown", "inconnu", "pa konnen", "desconhecido"]),
    ("required", ["obligatorios", "required", "obligatoires", "obligatwa", "obrigatórios"]),
    ("not_required", ["no se piden", "not required", "non demandés", "yo pa mande l", "não exigidos"]),
    ("by_on", ["{} el {}", "{} on {}", "{} le {}", "{} nan dat {}", "{} em {}"]),
    ("free", ["gratis", "free", "gratuit", "gratis", "gratuito"]),
    ("low_cost", ["bajo costo", "low cost", "peu coûteux", "pa chè", "baixo custo"]),
    ("paid", ["de pago", "paid", "payant", "fòk ou peye", "pago"]),
    ("voice", ["llamadas", "voice", "appels", "apèl", "chamadas"]),
    ("sms", ["SMS", "SMS", "SMS", "SMS", "SMS"]),
    ("whatsapp", ["WhatsApp", "WhatsApp", "WhatsApp", "WhatsApp", "WhatsApp"]),
    ("hotline", ["línea de ayuda", "hotline", "ligne d'urgence", "liy ijans", "linha de ajuda"]),
    ("fax", ["fax", "fax", "fax", "faks", "fax"]),
    // Rights.
    (
        "no_article",
        [
            "Ningún artículo de derechos coincide.",
            "No rights article matches.",
            "Aucun article sur les droits ne correspond.",
            "Pa gen atik sou dwa ki koresponn.",
            "Nenhum artigo de direitos corresponde.",
        ],
    ),
    (
        "who_can_help",
        [
            "   Quién puede ayudar cerca de ti:",
            "   Who can help near you:",
            "   Qui peut aider près de vous :",
            "   Ki moun ki ka ede w toupre w:",
            "   Quem pode ajudar perto de você:",
        ],
    ),
    (
        "local_not_verified",
        [
            " (importación local, no verificado)",
            " (local import, not verified)",
            " (import local, non vérifié)",
            " (enpòtasyon lokal, pa verifye)",
            " (importação local, não verificado)",
        ],
    ),
    (
        "give_nationality",
        [
            "   (indica --nationality para encontrar el consulado de tu país cerca de ti)",
            "   (give --nationality to find your own country's consulate near you)",
            "   (indiquez --nationality pour trouver le consulat de votre pays près de vous)",
            "   (bay --nationality pou jwenn konsila peyi w toupre w)",
            "   (informe --nationality para encontrar o consulado do seu país perto de você)",
        ],
    ),
    (
        "demo_article",
        [
            "  [DEMOSTRACIÓN — no revisado por abogados]",
            "  [DEMO — not reviewed by lawyers]",
            "  [DÉMO — non relu par des avocats]",
            "  [DEMO — avoka poko revize l]",
            "  [DEMONSTRAÇÃO — não revisado por advogados]",
        ],
    ),
    ("sources", ["   Fuentes: {}", "   Sources: {}", "   Sources : {}", "   Sous: {}", "   Fontes: {}"]),
    (
        "applies_in",
        [
            "   Se aplica en: {} · revisado el {} · [{}]",
            "   Applies in: {} · reviewed {} · [{}]",
            "   S'applique à : {} · relu le {} · [{}]",
            "   Aplike nan: {} · revize {} · [{}]",
            "   Aplica-se em: {} · revisado em {} · [{}]",
        ],
    ),
    ("all_countries", ["todos los países", "all countries", "tous les pays", "tout peyi", "todos os países"]),
    // Warnings.
    (
        "no_warning",
        [
            "Ninguna alerta activa aquí. Eso no quiere decir que sea seguro: ten cuidado.",
            "No active warning here. That does not mean it is safe: stay careful.",
            "Aucune alerte en cours ici. Cela ne veut pas dire que c'est sûr : restez prudent.",
            "Pa gen alèt kounye a isit la. Sa pa vle di li san danje: fè atansyon.",
            "Nenhum alerta ativo aqui. Isso não quer dizer que seja seguro: tenha cuidado.",
        ],
    ),
    ("here", [" — aquí", " — here", " — ici", " — isit la", " — aqui"]),
    ("demo", [" [DEMO]", " [DEMO]", " [DÉMO]", " [DEMO]", " [DEMO]"]),
    ("signs", ["   Señales: {}", "   Signs: {}", "   Signes : {}", "   Siy: {}", "   Sinais: {}"]),
    (
        "real_places",
        [
            "   Lugares reales en su lugar:",
            "   Real places instead:",
            "   Les vrais lieux :",
            "   Vrè kote yo:",
            "   Os lugares reais:",
        ],
    ),
    (
        "issued_by",
        [
            "   Emitida por {} · [{}]",
            "   Issued by {} · [{}]",
            "   Émise par {} · [{}]",
            "   Se {} ki bay li · [{}]",
            "   Emitido por {} · [{}]",
        ],
    ),
    (
        "not_on_phone",
        [
            "{} (no está en las regiones de este teléfono)",
            "{} (not in the regions on this phone)",
            "{} (pas dans les régions de ce téléphone)",
            "{} (li pa nan rejyon ki sou telefòn sa a)",
            "{} (não está nas regiões deste telefone)",
        ],
    ),
    (
        "unreadable",
        [
            "{} (no se pudo leer)",
            "{} (could not be read)",
            "{} (illisible)",
            "{} (nou pa t ka li l)",
            "{} (não foi possível ler)",
        ],
    ),
    ("not_verified", [" [no verificado]", " [not verified]", " [non vérifié]", " [pa verifye]", " [não verificado]"]),
    ("scam", ["estafa", "scam", "arnaque", "eskwokri", "golpe"]),
    (
        "impersonation",
        ["suplantación", "impersonation", "usurpation d'identité", "moun k ap pase pou lòt", "falsa identidade"],
    ),
    ("fake_documents", ["documentos falsos", "fake documents", "faux documents", "fo papye", "documentos falsos"]),
    ("extortion", ["extorsión", "extortion", "extorsion", "zafè fòse moun peye", "extorsão"]),
    (
        "kidnapping_risk",
        ["riesgo de secuestro", "kidnapping risk", "risque d'enlèvement", "risk kidnapin", "risco de sequestro"],
    ),
    ("dangerous_route", ["ruta peligrosa", "dangerous route", "route dangereuse", "wout danjere", "rota perigosa"]),
    (
        "trafficking_recruitment",
        [
            "captación para trata",
            "trafficking recruitment",
            "recrutement pour la traite",
            "rekritman pou trafik moun",
            "aliciamento para tráfico",
        ],
    ),
    ("fake_aid", ["ayuda falsa", "fake aid", "fausse aide", "fo èd", "ajuda falsa"]),
    ("extreme", ["extrema", "extreme", "extrême", "ekstrèm", "extrema"]),
    ("severe", ["grave", "severe", "grave", "grav", "grave"]),
    ("moderate", ["moderada", "moderate", "modérée", "mwayen", "moderada"]),
    ("minor", ["menor", "minor", "mineure", "piti", "menor"]),
    // check-contact.
    ("verdict_official", [
        "OFICIAL: pertenece a un lugar verificado del directorio",
        "OFFICIAL: it belongs to a verified place in the directory",
        "OFFICIEL : il appartient à un lieu vérifié de l'annuaire",
        "OFISYÈL: li se pou yon kote ki verifye nan anyè a",
        "OFICIAL: pertence a um lugar verificado do diretório",
    ]),
    ("verdict_name_match", [
        "MISMO NOMBRE, NO VERIFICADO: este nombre es la cuenta de {} en {} — solo esa cuenta de {} es oficial; cualquiera puede registrar el mismo nombre en otra red",
        "SAME NAME, NOT VERIFIED: this name is the account of {} on {} — only that {} account is official; anyone can register the same name on another network",
        "MÊME NOM, NON VÉRIFIÉ : ce nom est le compte de {} sur {} — seul ce compte {} est officiel ; n'importe qui peut enregistrer le même nom sur un autre réseau",
        "MENM NON, PA VERIFYE: non sa a se kont {} sou {} — se sèlman kont {} sa a ki ofisyèl; nenpòt moun ka anrejistre menm non an sou yon lòt rezo",
        "MESMO NOME, NÃO VERIFICADO: este nome é a conta de {} em {} — só essa conta em {} é oficial; qualquer pessoa pode registrar o mesmo nome em outra rede",
    ]),
    ("verdict_warning", [
        "ALERTA: aparece en una alerta activa — no pagues, no envíes documentos",
        "WARNING: it appears in an active warning — do not pay, do not send documents",
        "ALERTE : il figure dans une alerte en cours — ne payez pas, n'envoyez pas de documents",
        "ALÈT: li parèt nan yon alèt ki an vigè — pa peye, pa voye dokiman",
        "ALERTA: aparece em um alerta ativo — não pague, não envie documentos",
    ]),
    ("verdict_lookalike", [
        "IMITACIÓN: imita un contacto oficial — no confíes en él",
        "LOOKALIKE: it imitates an official contact — do not trust it",
        "IMITATION : il imite un contact officiel — ne lui faites pas confiance",
        "IMITASYON: li imite yon kontak ofisyèl — pa fè l konfyans",
        "IMITAÇÃO: imita um contato oficial — não confie nele",
    ]),
    ("verdict_listed", [
        "EN EL DIRECTORIO, NO VERIFICADO: figura como contacto de {} — nadie ha verificado ese registro; confírmalo por otra vía antes de confiar",
        "LISTED, NOT VERIFIED: it is in the directory as a contact of {} — nobody has verified that listing; confirm it another way before trusting it",
        "DANS L'ANNUAIRE, NON VÉRIFIÉ : il figure comme contact de {} — personne n'a vérifié cette fiche ; confirmez-le autrement avant de lui faire confiance",
        "NAN ANYÈ A, PA VERIFYE: li parèt kòm kontak {} — pèsonn poko verifye fich sa a; konfime l yon lòt jan anvan ou fè l konfyans",
        "NO DIRETÓRIO, NÃO VERIFICADO: aparece como contato de {} — ninguém verificou esse registro; confirme por outro meio antes de confiar",
    ]),
    ("dataset_signed", [
        "datos {}: firmados por quien los publica",
        "dataset {}: signed by its publisher",
        "données {} : signées par leur éditeur",
        "done {}: siyen pa moun ki pibliye yo",
        "dados {}: assinados por quem os publica",
    ]),
    ("dataset_unsigned", [
        "datos {}: importados en este equipo, sin firma",
        "dataset {}: imported on this device, not signed",
        "données {} : importées sur cet appareil, non signées",
        "done {}: enpòte sou aparèy sa a, san siyati",
        "dados {}: importados neste aparelho, sem assinatura",
    ]),
    ("also_checked_as", [
        "también comprobado como {} (el número marcado desde otro país)",
        "also checked as {} (the number as dialled from another country)",
        "aussi vérifié comme {} (le numéro composé depuis un autre pays)",
        "tcheke tou kòm {} (nimewo a jan yo konpoze l soti nan yon lòt peyi)",
        "também verificado como {} (o número discado de outro país)",
    ]),
    ("verdict_unknown", [
        "NO VERIFICADO: no está en el directorio ni en las alertas (eso no quiere decir que sea seguro)",
        "NOT VERIFIED: not in the directory or the warnings (this does not mean it is safe)",
        "NON VÉRIFIÉ : absent de l'annuaire et des alertes (cela ne veut pas dire qu'il est sûr)",
        "PA VERIFYE: li pa nan anyè a ni nan alèt yo (sa pa vle di li san danje)",
        "NÃO VERIFICADO: não está no diretório nem nos alertas (isso não quer dizer que seja seguro)",
    ]),
    ("verdict_invalid", [
        "NO VÁLIDO: no es un número de teléfono, dirección web, correo ni cuenta que Faro pueda leer",
        "INVALID: this is not a phone number, web address, e-mail or handle Faro can read",
        "INVALIDE : ce n'est ni un numéro de téléphone, ni une adresse web, ni un courriel, ni un compte que Faro sait lire",
        "PA VALAB: sa a se pa yon nimewo telefòn, yon adrès entènèt, yon imèl oswa yon kont Faro ka li",
        "INVÁLIDO: não é um número de telefone, endereço web, e-mail ou conta que o Faro consiga ler",
    ]),
    ("a_verified_place", ["un lugar verificado", "a verified place", "un lieu vérifié", "yon kote ki verifye", "um lugar verificado"]),
    ("its_network", ["su red", "its network", "son réseau", "rezo pa l", "sua rede"]),
    ("its_own_network", ["su propia red", "its own network", "son propre réseau", "pwòp rezo pa l", "sua própria rede"]),
    ("rel_exact", ["mismo contacto", "same contact", "même contact", "menm kontak", "mesmo contato"]),
    ("rel_same_domain", ["mismo dominio", "same domain", "même domaine", "menm domèn", "mesmo domínio"]),
    ("rel_same_domain_not_listed", [
        "mismo dominio, pero no está en la lista (no es oficial)",
        "same domain, but not listed (not official)",
        "même domaine, mais pas dans la liste (pas officiel)",
        "menm domèn, men li pa sou lis la (li pa ofisyèl)",
        "mesmo domínio, mas não está na lista (não é oficial)",
    ]),
    ("rel_same_host_other_page", ["mismo sitio, otra página", "same site, another page", "même site, autre page", "menm sit, yon lòt paj", "mesmo site, outra página"]),
    ("rel_same_name", ["mismo nombre; oficial solo en {}", "same name; official only on {}", "même nom ; officiel seulement sur {}", "menm non; ofisyèl sèlman sou {}", "mesmo nome; oficial só em {}"]),
    ("rel_listed_not_verified", ["en la lista, pero no verificado", "listed, but not verified", "dans la liste, mais non vérifié", "sou lis la, men pa verifye", "na lista, mas não verificado"]),
    ("rel_other_reading", ["el mismo número, marcado desde otro país", "the same number, as dialled from another country", "le même numéro, composé depuis un autre pays", "menm nimewo a, jan yo konpoze l soti nan yon lòt peyi", "o mesmo número, discado de outro país"]),
    // Reports (faro report, faro reports).
    ("report_queued", [
        "Informe {} en cola, cifrado para el editor; se envía con «faro reports send» cuando haya conexión",
        "Report {} queued, sealed to the publisher; it is sent with `faro reports send` when there is a connection",
        "Signalement {} en attente, chiffré pour l'éditeur ; il part avec « faro reports send » dès qu'il y a une connexion",
        "Rapò {} nan liy datant, chifre pou piblikatè a; l ap voye ak « faro reports send » lè gen koneksyon",
        "Relato {} na fila, cifrado para o editor; é enviado com «faro reports send» quando houver conexão",
    ]),
    ("reports_none", ["No hay informes.", "No reports.", "Aucun signalement.", "Pa gen rapò.", "Nenhum relato."]),
    ("report_status_queued", ["en cola", "queued", "en attente", "ap tann", "na fila"]),
    ("report_status_sending", ["enviando", "sending", "en envoi", "ap voye", "enviando"]),
    ("report_status_sent", ["enviado", "sent", "envoyé", "voye", "enviado"]),
    ("report_status_refused", ["rechazado", "refused", "refusé", "refize", "recusado"]),
    ("report_status_cancelled", ["cancelado", "cancelled", "annulé", "anile", "cancelado"]),
    ("report_next_try", ["próximo intento {}", "next try {}", "prochain essai {}", "pwochen eseye {}", "próxima tentativa {}"]),
    ("report_cancelled", [
        "Informe {} cancelado; no se enviará nada de él",
        "Report {} cancelled; nothing of it will be sent",
        "Signalement {} annulé ; rien n'en sera envoyé",
        "Rapò {} anile; anyen ladan l p ap voye",
        "Relato {} cancelado; nada dele será enviado",
    ]),
    ("reports_forgotten", [
        "{} informes terminados quitados de la lista",
        "{} finished reports removed from the list",
        "{} signalements terminés retirés de la liste",
        "{} rapò ki fini retire nan lis la",
        "{} relatos terminados retirados da lista",
    ]),
    ("reports_sent", [
        "{} enviados, {} rechazados, {} en espera",
        "{} sent, {} refused, {} waiting",
        "{} envoyés, {} refusés, {} en attente",
        "{} voye, {} refize, {} ap tann",
        "{} enviados, {} recusados, {} em espera",
    ]),
    ("reports_keygen", [
        "Clave del receptor {}: clave privada {} (guárdela en secreto), clave pública {} (para faro publish --reports-key)",
        "Receiver key {}: private key {} (keep it secret), public key {} (for faro publish --reports-key)",
        "Clé du récepteur {} : clé privée {} (gardez-la secrète), clé publique {} (pour faro publish --reports-key)",
        "Kle resepsyon {}: kle prive {} (kenbe l sekrè), kle piblik {} (pou faro publish --reports-key)",
        "Chave do receptor {}: chave privada {} (mantenha-a em segredo), chave pública {} (para faro publish --reports-key)",
    ]),
    ("reports_serving", [
        "Recibiendo informes en {}; se guardan en {}",
        "Receiving reports on {}; stored in {}",
        "Réception des signalements sur {} ; enregistrés dans {}",
        "N ap resevwa rapò sou {}; yo sere nan {}",
        "Recebendo relatos em {}; guardados em {}",
    ]),
    ("reports_csv", [
        "{} informes escritos en {}",
        "{} reports written to {}",
        "{} signalements écrits dans {}",
        "{} rapò ekri nan {}",
        "{} relatos escritos em {}",
    ]),
    ("report_unreadable", ["no se puede leer: {}", "cannot be read: {}", "illisible : {}", "pa ka li: {}", "não pode ser lido: {}"]),
    ("rel_imitates", ["imita {} ({})", "imitates {} ({})", "imite {} ({})", "imite {} ({})", "imita {} ({})"]),
    // Saved places (personal_cmd).
    ("error_wrong_key", [
        "esta clave no abre los datos personales; no se cambió nada: use la clave con la que se crearon, o bórrelos con forget-personal-data",
        "this key does not open the personal data; nothing was changed: use the key they were made with, or erase them with forget-personal-data",
        "cette clé n'ouvre pas les données personnelles ; rien n'a été modifié : utilisez la clé avec laquelle elles ont été créées, ou effacez-les avec forget-personal-data",
        "kle sa a pa louvri done pèsonèl yo; anyen pa chanje: sèvi ak kle yo te fèt avè l la, oswa efase yo ak forget-personal-data",
        "esta chave não abre os dados pessoais; nada foi alterado: use a chave com que foram criados, ou apague-os com forget-personal-data",
    ]),
    ("fav_added", [
        "guardado: {}",
        "saved: {}",
        "enregistré : {}",
        "anrejistre: {}",
        "guardado: {}",
    ]),
    ("fav_updated", [
        "ya estaba guardado, etiqueta cambiada: {}",
        "already saved, label changed: {}",
        "déjà enregistré, étiquette modifiée : {}",
        "te deja anrejistre, etikèt la chanje: {}",
        "já estava guardado, etiqueta alterada: {}",
    ]),
    ("fav_removed", [
        "quitado de los guardados: {}",
        "removed from saved places: {}",
        "retiré des lieux enregistrés : {}",
        "retire nan kote ki anrejistre yo: {}",
        "removido dos lugares guardados: {}",
    ]),
    ("fav_not_saved", [
        "no estaba guardado: {}",
        "was not saved: {}",
        "n'était pas enregistré : {}",
        "pa t anrejistre: {}",
        "não estava guardado: {}",
    ]),
    ("fav_none", [
        "no hay lugares guardados",
        "no saved places",
        "aucun lieu enregistré",
        "pa gen okenn kote ki anrejistre",
        "nenhum lugar guardado",
    ]),
    ("fav_saved_on", [
        "guardado el {}",
        "saved on {}",
        "enregistré le {}",
        "anrejistre jou {}",
        "guardado em {}",
    ]),
    ("fav_gone", [
        "¡ya no está en el directorio! (cerrado o retirado por quien lo publica): no vaya sin confirmar",
        "no longer in the directory! (closed, or withdrawn by its publisher): do not go without checking",
        "n'est plus dans l'annuaire ! (fermé, ou retiré par qui le publie) : n'y allez pas sans vérifier",
        "li pa nan anyè a ankò! (fèmen, oswa moun ki pibliye l la retire l): pa ale san verifye",
        "já não está no diretório! (fechado, ou retirado por quem o publica): não vá sem confirmar",
    ]),
    ("forget_done", [
        "datos personales borrados ({} archivos sobrescritos y eliminados); el directorio sigue",
        "personal data erased ({} files overwritten and removed); the directory stays",
        "données personnelles effacées ({} fichiers écrasés et supprimés) ; l'annuaire reste",
        "done pèsonèl yo efase ({} fichye ekri sou yo epi retire); anyè a rete",
        "dados pessoais apagados ({} arquivos sobrescritos e removidos); o diretório fica",
    ]),
    ("forget_key_hint", [
        "borre también el archivo de la clave: en memoria flash pueden quedar copias antiguas, y solo sin la clave son ilegibles",
        "delete the key file too: flash storage may keep old copies, and only without the key are they unreadable",
        "supprimez aussi le fichier de la clé : la mémoire flash peut garder d'anciennes copies, illisibles seulement sans la clé",
        "efase fichye kle a tou: memwa flash ka kenbe ansyen kopi, se sèlman san kle a yo pa ka li yo",
        "apague também o arquivo da chave: a memória flash pode guardar cópias antigas, ilegíveis só sem a chave",
    ]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_all_five_languages_and_the_same_placeholders() {
        let mut ids = std::collections::HashSet::new();
        for (id, cols) in CATALOGUE {
            assert!(ids.insert(id), "{id} twice");
            let holes = cols[EN].matches("{}").count();
            for (lang, text) in LANGS.iter().zip(cols) {
                assert!(!text.trim().is_empty(), "{id} has no {lang} text");
                assert_eq!(text.matches("{}").count(), holes, "{id} in {lang}: placeholders");
            }
        }
    }

    #[test]
    fn fills_placeholders_in_order() {
        assert_eq!(f("by_on", &["Ana", "2026-11-27"]), "Ana on 2026-11-27");
    }

    #[test]
    fn refuses_languages_it_does_not_know() {
        assert!(check_known(&LangPrefs::parse_list("ht,fr,pt-BR,es-MX,en").unwrap()).is_ok());
        let err = check_known(&LangPrefs::parse_list("kreyol").unwrap()).unwrap_err();
        assert!(err.contains("\"kreyol\"") && err.contains("es, en, fr, ht, pt"), "{err}");
    }
}
