"""Seed the code-keyed vocabularies that the API contract names (PRODUCT.md)."""

from django.db import migrations

CATEGORIES = [
    ("housing", "Housing", "Shelter, safe house, transit housing."),
    ("counselling", "Counselling", "Case management, social work and peer support."),
    ("medical", "Medical", "Clinics, hospitals, sexual and reproductive health, forensic examination."),
    ("psychological", "Psychological", "Psychological first aid, trauma therapy and psychiatric care."),
    ("legal", "Legal", "Legal aid, victim identification, court accompaniment, immigration status."),
    ("material", "Material", "Food, clothing, hygiene kits, cash assistance."),
    ("repatriation", "Repatriation", "Safe return and family reunification across borders."),
    ("livelihood", "Livelihood", "Vocational training, job placement, small grants."),
    ("hotline", "Hotline", "Telephone and online help lines."),
    ("interpretation", "Interpretation", "Interpreters and translation."),
    ("education", "Education", "Schooling and non-formal education."),
]

POPULATIONS = [
    ("women", "Women", ""),
    ("girls", "Girls", "Girls under 18."),
    ("children", "Children", "Children under 18 of any gender."),
    ("unaccompanied_minors", "Unaccompanied minors", "Children without a parent or guardian."),
    ("boys", "Boys", "Boys under 18."),
    ("men", "Men", ""),
    ("families", "Families", "Parents or caregivers with their children."),
    ("lgbtqi", "LGBTQI+ people", ""),
    ("persons_with_disabilities", "Persons with disabilities", ""),
    ("refugees", "Refugees", "Refugees and asylum seekers."),
    ("migrants", "Migrants", "Migrant workers and their families."),
    ("idps", "Internally displaced people", ""),
]

CONTEXTS = [
    ("refugee_camp", "Refugee camp", "In or serving a refugee or displacement camp."),
    ("conflict_zone", "Conflict zone", "In an area affected by armed conflict."),
    ("urban", "Urban", ""),
    ("rural", "Rural", ""),
    ("border_area", "Border area", "At or near an international border crossing."),
    ("mobile_outreach", "Mobile outreach", "Teams and mobile clinics that go to people."),
    ("remote", "Remote", "By phone or online."),
]

LANGUAGES = [
    ("en", "English", "English"),
    ("th", "Thai", "ไทย"),
    ("my", "Burmese", "မြန်မာ"),
    ("km", "Khmer", "ខ្មែរ"),
    ("lo", "Lao", "ລາວ"),
    ("vi", "Vietnamese", "Tiếng Việt"),
    ("id", "Indonesian", "Bahasa Indonesia"),
    ("ms", "Malay", "Bahasa Melayu"),
    ("tl", "Tagalog / Filipino", "Tagalog"),
    ("ceb", "Cebuano", "Sinugbuanon"),
    ("zh", "Chinese", "中文"),
    ("ja", "Japanese", "日本語"),
    ("ko", "Korean", "한국어"),
    ("ksw", "S'gaw Karen", "ကညီ"),
    ("kac", "Kachin (Jingpho)", "Jinghpaw"),
    ("shn", "Shan", "တႆး"),
    ("mnw", "Mon", "ဘာသာ မန်"),
    ("rhg", "Rohingya", "Ruáingga"),
    ("hmn", "Hmong", "Hmoob"),
    ("jv", "Javanese", "Basa Jawa"),
    ("tet", "Tetum", "Tetun"),
    ("fj", "Fijian", "Na Vosa Vakaviti"),
    ("hif", "Fiji Hindi", "Fiji Baat"),
    ("to", "Tongan", "Lea fakatonga"),
    ("sm", "Samoan", "Gagana Sāmoa"),
    ("tpi", "Tok Pisin", "Tok Pisin"),
    ("pis", "Solomons Pijin", "Pijin"),
    ("bi", "Bislama", "Bislama"),
    ("gil", "Gilbertese", "Taetae ni Kiribati"),
    ("fr", "French", "Français"),
    ("hi", "Hindi", "हिन्दी"),
    ("bn", "Bengali", "বাংলা"),
    ("ne", "Nepali", "नेपाली"),
    ("ru", "Russian", "Русский"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("Category", CATEGORIES), ("Population", POPULATIONS), ("Context", CONTEXTS)):
        model = apps.get_model("referrals", model_name)
        for position, (code, name, description) in enumerate(rows, start=1):
            model.objects.update_or_create(
                code=code, defaults={"name": name, "description": description, "position": position * 10}
            )
    language = apps.get_model("referrals", "Language")
    for code, name, native_name in LANGUAGES:
        language.objects.update_or_create(code=code, defaults={"name": name, "native_name": native_name})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
