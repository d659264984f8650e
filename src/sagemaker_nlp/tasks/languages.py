"""Language codes: what a translation model's tokenizer knows, and how a request maps onto it.

Multilingual checkpoints name languages in their own schemes: M2M100 ``en`` (token ``__en__``),
mBART-50 ``en_XX``, NLLB ``eng_Latn``, SeamlessM4T ``eng`` (token ``__eng__``), multi-target
opus-mt ``>>spa<<``. Users write ISO codes
(``en``, ``es``, ``pt-BR``, ``zh-Hant``), the model's own code, or sometimes a language name. Every
code is reduced to (language, script, region), the language as ISO 639-1 where one exists, and
a request matches the model code with the same language (script and region narrow the choice).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ClientError

# ISO 639-1, the ISO 639-3 codes that mean it (macrolanguage first, then the individual language
# the big multilingual models use, e.g. NLLB's arb/pes/zsm), and the English name (T5 prefixes).
_TABLE = """
af afr Afrikaans|am amh Amharic|ar ara,arb Arabic|as asm Assamese|az aze,azj,azb Azerbaijani
ba bak Bashkir|be bel Belarusian|bg bul Bulgarian|bm bam Bambara|bn ben Bengali|bo bod Tibetan
br bre Breton|bs bos Bosnian|ca cat Catalan|cs ces Czech|cy cym Welsh|da dan Danish|de deu German
dz dzo Dzongkha|el ell Greek|en eng English|eo epo Esperanto|es spa Spanish|et est,ekk Estonian
eu eus Basque|fa fas,pes Persian|ff ful,fuv Fula|fi fin Finnish|fj fij Fijian|fo fao Faroese
fr fra French|fy fry Frisian|ga gle Irish|gd gla Gaelic|gl glg Galician|gn grn Guarani
gu guj Gujarati|ha hau Hausa|he heb Hebrew|hi hin Hindi|hr hrv Croatian|ht hat Haitian
hu hun Hungarian|hy hye Armenian|id ind Indonesian|ig ibo Igbo|is isl Icelandic|it ita Italian
ja jpn Japanese|jv jav Javanese|ka kat Georgian|kg kon Kongo|kk kaz Kazakh|km khm Khmer
kn kan Kannada|ko kor Korean|ks kas Kashmiri|ku kur,kmr Kurdish|ky kir Kyrgyz|lb ltz Luxembourgish
lg lug Ganda|li lim Limburgish|ln lin Lingala|lo lao Lao|lt lit Lithuanian|lv lav,lvs Latvian
mg mlg,plt Malagasy|mi mri Maori|mk mkd Macedonian|ml mal Malayalam|mn mon,khk Mongolian
mr mar Marathi|ms msa,zsm Malay|mt mlt Maltese|my mya Burmese|nb nob Bokmal|ne nep,npi Nepali
nl nld Dutch|nn nno Nynorsk|no nor Norwegian|ny nya Chichewa|oc oci Occitan|om orm,gaz Oromo
or ori,ory Odia|pa pan Punjabi|pl pol Polish|ps pus,pbt Pashto|pt por Portuguese|qu que,quy Quechua
rn run Rundi|ro ron Romanian|ru rus Russian|rw kin Kinyarwanda|sa san Sanskrit|sc srd Sardinian
sd snd Sindhi|sg sag Sango|si sin Sinhala|sk slk Slovak|sl slv Slovenian|sm smo Samoan|sn sna Shona
so som Somali|sq sqi,als Albanian|sr srp Serbian|ss ssw Swati|st sot Sotho|su sun Sundanese
sv swe Swedish|sw swa,swh Swahili|ta tam Tamil|te tel Telugu|tg tgk Tajik|th tha Thai
ti tir Tigrinya|tk tuk Turkmen|tl tgl Tagalog|tn tsn Tswana|tr tur Turkish|ts tso Tsonga|tt tat Tatar
ug uig Uyghur|uk ukr Ukrainian|ur urd Urdu|uz uzb,uzn Uzbek|vi vie Vietnamese|wo wol Wolof
xh xho Xhosa|yi yid,ydd Yiddish|yo yor Yoruba|zh zho,cmn Chinese|zu zul Zulu
"""
ISO3_TO_ISO1: dict[str, str] = {}
NAMES: dict[str, str] = {}
for _entry in re.split(r"[|\n]", _TABLE.strip()):
    _iso1, _iso3, _name = _entry.split()
    NAMES[_iso1] = _name
    for _code in _iso3.split(","):
        ISO3_TO_ISO1[_code] = _iso1
_BY_NAME = {name.lower(): iso1 for iso1, name in NAMES.items()}
# Where a model lists one language in several scripts, a bare ISO code means the usual one.
DEFAULT_SCRIPT = {"zh": "Hans", "ar": "Arab", "az": "Latn", "sr": "Cyrl"}
_REGION_SCRIPT = {"TW": "Hant", "HK": "Hant", "MO": "Hant", "CN": "Hans", "SG": "Hans"}
_WRAPPED = re.compile(r"^(?:__(.+)__|>>(.+)<<)$")


@dataclass(frozen=True)
class Tag:
    language: str  # ISO 639-1 where one exists, else the (lower-case) code as given
    script: str = ""
    region: str = ""


def parse_tag(code: str) -> Tag:
    """``es``, ``spa``, ``es-MX``, ``es_XX``, ``spa_Latn``, ``__es__``, ``>>spa<<``, ``Spanish``."""
    code = code.strip()
    wrapped = _WRAPPED.match(code)
    if wrapped:
        code = wrapped.group(1) or wrapped.group(2)
    if code.lower() in _BY_NAME:
        return Tag(_BY_NAME[code.lower()])
    parts = re.split(r"[-_]", code)
    language = parts[0].lower()
    script = region = ""
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            script = part.title()
        elif len(part) in (2, 3) and part.upper() != "XX":
            region = part.upper()
    if not script and region in _REGION_SCRIPT:
        script = _REGION_SCRIPT[region]
    return Tag(ISO3_TO_ISO1.get(language, language), script, region)


def iso_code(code: str) -> str:
    """The ISO 639-1 code (or the code itself) of any spelling: ``eng_Latn`` -> ``en``."""
    return parse_tag(code).language


def language_name(code: str) -> str:
    """The English name used by T5 prompts (``translate English to German: ``)."""
    language = iso_code(code)
    return NAMES.get(language, code)


def resolve(requested: str, supported: list[str], role: str) -> str:
    """The model's own code for ``requested``; a ClientError lists the supported codes."""
    if requested in supported:
        return requested
    wanted = parse_tag(requested)
    candidates = [code for code in supported if parse_tag(code).language == wanted.language]
    if wanted.script and len(candidates) > 1:
        candidates = [c for c in candidates if parse_tag(c).script == wanted.script] or candidates
    if wanted.region and len(candidates) > 1:
        candidates = [c for c in candidates if parse_tag(c).region == wanted.region] or candidates
    if len(candidates) > 1 and wanted.language in DEFAULT_SCRIPT:
        # A code without a script is the usual one (SeamlessM4T: cmn beside cmn_Hant).
        usual = (DEFAULT_SCRIPT[wanted.language], "")
        preferred = [c for c in candidates if parse_tag(c).script in usual]
        candidates = preferred or candidates
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise ClientError(f"{role} {requested!r} is ambiguous for this model: use one of "
                          f"{', '.join(candidates)}.")
    raise ClientError(
        f"{role} {requested!r} is not supported by this model. It supports: {', '.join(supported)} "
        f"(ISO codes such as 'en' or 'es' are mapped onto these)."
    )


_NLLB_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_MBART_CODE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
_SEAMLESS_TOKEN = re.compile(r"^__([a-z]{3}(?:_[A-Z][a-z]{3})?)__$")  # __eng__, __cmn_Hant__


def token_codes(tokenizer, generation_config=None) -> dict[str, int]:
    """Language code -> token id for models that mark languages with special tokens.

    The code is what ``tokenizer.src_lang``/``tgt_lang`` accept: M2M100 and mBART-50 keep a
    ``lang_code_to_id`` table; NLLB (and mBART in the fast form) only add the codes as special
    tokens, recognised by their shape. SeamlessM4T's ``generation_config`` lists the languages
    its text decoder writes (``text_decoder_lang_to_code_id``, what its ``generate(tgt_lang=)``
    reads); without it, its ``__eng__`` tokens give the codes.
    """
    declared = seamless_codes(generation_config)
    if declared:
        return declared
    table = getattr(tokenizer, "lang_code_to_id", None)
    if isinstance(table, dict) and table:
        return {str(code): int(token_id) for code, token_id in table.items()}
    added = tokenizer.get_added_vocab()
    for pattern in (_NLLB_CODE, _MBART_CODE):
        codes = {token: token_id for token, token_id in added.items() if pattern.match(token)}
        if len(codes) > 1:
            return dict(sorted(codes.items(), key=lambda item: item[1]))
    codes = {match.group(1): token_id for token, token_id in added.items()
             if (match := _SEAMLESS_TOKEN.match(token))}
    return dict(sorted(codes.items(), key=lambda item: item[1])) if len(codes) > 1 else {}


def seamless_codes(generation_config) -> dict[str, int]:
    """SeamlessM4T's target languages (code -> token id), declared by its generation_config."""
    table = getattr(generation_config, "text_decoder_lang_to_code_id", None)
    if not isinstance(table, dict):
        return {}
    return dict(sorted(((str(code), int(token_id)) for code, token_id in table.items()),
                       key=lambda item: item[1]))


def target_tokens(tokenizer) -> list[str]:
    """Multi-target opus-mt models: ``>>spa<<``-style tokens written at the start of the source."""
    return list(getattr(tokenizer, "supported_language_codes", None) or [])
