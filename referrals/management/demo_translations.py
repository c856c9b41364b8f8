"""Translations of the FICTIONAL demo listings into the main language of each country (for the demo fixture).

Listings in the Pacific keep English only, so the demo shows the fallback too; fees are left untranslated
for the same reason.
"""

# The main language of a demo country's listings.
COUNTRY_LANGUAGE = {
    "TH": "th", "MM": "my", "KH": "km", "LA": "lo", "VN": "vi", "PH": "tl", "ID": "id", "MY": "ms", "CN": "zh",
}  # fmt: skip

KINDS = (
    "Women's Shelter", "Children's Safe Home", "Transit Shelter", "Counselling Centre", "Trauma Recovery Clinic",
    "Health Clinic", "Legal Aid Desk", "24-hour Helpline", "Mobile Clinic", "Livelihood Programme",
    "Repatriation and Family Tracing", "Emergency Relief Point", "Night Drop-in Centre", "Youth Safe House",
)  # fmt: skip

KIND_NAMES = {
    "th": ("บ้านพักพิงสตรี", "บ้านพักปลอดภัยสำหรับเด็ก", "สถานพักพิงชั่วคราว", "ศูนย์ให้คำปรึกษา",
           "คลินิกฟื้นฟูบาดแผลทางใจ", "คลินิกสุขภาพ", "จุดบริการช่วยเหลือทางกฎหมาย", "สายด่วน 24 ชั่วโมง",
           "คลินิกเคลื่อนที่", "โครงการส่งเสริมอาชีพ", "การส่งกลับและติดตามครอบครัว", "จุดบรรเทาทุกข์ฉุกเฉิน",
           "ศูนย์แวะพักกลางคืน", "บ้านพักปลอดภัยสำหรับเยาวชน"),
    "vi": ("Nhà tạm lánh cho phụ nữ", "Ngôi nhà an toàn cho trẻ em", "Nhà tạm trú quá cảnh", "Trung tâm tư vấn",
           "Phòng khám phục hồi sang chấn", "Phòng khám sức khỏe", "Điểm trợ giúp pháp lý", "Đường dây nóng 24 giờ",
           "Phòng khám lưu động", "Chương trình sinh kế", "Hồi hương và truy tìm gia đình", "Điểm cứu trợ khẩn cấp",
           "Trung tâm tạm dừng chân ban đêm", "Nhà an toàn cho thanh thiếu niên"),
    "km": ("ជម្រកស្ត្រី", "ផ្ទះសុវត្ថិភាពកុមារ", "ជម្រកបណ្តោះអាសន្ន", "មជ្ឈមណ្ឌលប្រឹក្សាយោបល់", "គ្លីនិកស្តារពីរបួសផ្លូវចិត្ត",
           "គ្លីនិកសុខភាព", "តុជំនួយផ្លូវច្បាប់", "ខ្សែទូរស័ព្ទជំនួយ ២៤ ម៉ោង", "គ្លីនិកចល័ត", "កម្មវិធីមុខរបរ",
           "ការធ្វើមាតុភូមិនិវត្តន៍ និងការតាមដានគ្រួសារ", "ចំណុចជំនួយសង្គ្រោះបន្ទាន់", "មជ្ឈមណ្ឌលស្នាក់ពេលយប់",
           "ផ្ទះសុវត្ថិភាពយុវជន"),
    "my": ("အမျိုးသမီး ခိုလှုံရာဂေဟာ", "ကလေးများ လုံခြုံရေးအိမ်", "ယာယီ ခိုလှုံရာစခန်း", "အကြံပေးဌာန",
           "စိတ်ဒဏ်ရာ ပြန်လည်ကုစားရေးဆေးခန်း", "ကျန်းမာရေးဆေးခန်း", "ဥပဒေအကူအညီ ဌာန", "၂၄ နာရီ အကူအညီဖုန်းလိုင်း",
           "ရွေ့လျားဆေးခန်း", "အသက်မွေးဝမ်းကျောင်း အစီအစဉ်", "နေရပ်ပြန်ပို့ရေးနှင့် မိသားစုရှာဖွေရေး",
           "အရေးပေါ် ကယ်ဆယ်ရေးစခန်း", "ညဘက် ဝင်ရောက်နားနေရာ စင်တာ", "လူငယ်များ လုံခြုံရေးအိမ်"),
    "lo": ("ເຮືອນພັກພິງແມ່ຍິງ", "ເຮືອນປອດໄພສຳລັບເດັກ", "ບ່ອນພັກພິງຊົ່ວຄາວ", "ສູນໃຫ້ຄຳປຶກສາ", "ຄລີນິກຟື້ນຟູບາດແຜທາງຈິດໃຈ",
           "ຄລີນິກສຸຂະພາບ", "ຈຸດຊ່ວຍເຫຼືອດ້ານກົດໝາຍ", "ສາຍດ່ວນ 24 ຊົ່ວໂມງ", "ຄລີນິກເຄື່ອນທີ່", "ໂຄງການສົ່ງເສີມອາຊີບ",
           "ການສົ່ງກັບຄືນ ແລະ ຕິດຕາມຄອບຄົວ", "ຈຸດບັນເທົາທຸກສຸກເສີນ", "ສູນພັກເຊົາຕອນກາງຄືນ", "ເຮືອນປອດໄພສຳລັບເຍົາວະຊົນ"),
    "tl": ("Kanlungan para sa Kababaihan", "Ligtas na Tahanan para sa mga Bata", "Pansamantalang Kanlungan",
           "Sentro ng Pagpapayo", "Klinika para sa Paggaling mula sa Trauma", "Klinikang Pangkalusugan",
           "Tanggapan ng Tulong Legal", "24-oras na Helpline", "Mobile na Klinika", "Programang Pangkabuhayan",
           "Pagpapauwi at Paghahanap ng Pamilya", "Puntong Pang-emerhensiyang Tulong", "Panggabing Drop-in Center",
           "Ligtas na Tahanan para sa Kabataan"),
    "id": ("Rumah Aman Perempuan", "Rumah Aman Anak", "Penampungan Transit", "Pusat Konseling",
           "Klinik Pemulihan Trauma", "Klinik Kesehatan", "Layanan Bantuan Hukum", "Saluran Bantuan 24 Jam",
           "Klinik Keliling", "Program Penghidupan", "Pemulangan dan Penelusuran Keluarga", "Pos Bantuan Darurat",
           "Pusat Singgah Malam", "Rumah Aman Remaja"),
    "ms": ("Tempat Perlindungan Wanita", "Rumah Selamat Kanak-kanak", "Tempat Perlindungan Transit",
           "Pusat Kaunseling", "Klinik Pemulihan Trauma", "Klinik Kesihatan", "Kaunter Bantuan Guaman",
           "Talian Bantuan 24 Jam", "Klinik Bergerak", "Program Sara Hidup",
           "Penghantaran Pulang dan Pengesanan Keluarga", "Pusat Bantuan Kecemasan", "Pusat Singgah Malam",
           "Rumah Selamat Belia"),
    "zh": ("妇女庇护所", "儿童安全之家", "过境庇护所", "咨询中心", "创伤康复诊所", "健康诊所", "法律援助服务台",
           "24小时求助热线", "流动诊所", "生计项目", "遣返与寻亲服务", "紧急救助点", "夜间临时落脚中心",
           "青少年安全之家"),
}  # fmt: skip

# How a name is put together: the kind of service and the place.
NAME_PATTERNS = {
    "th": "{kind} {place}", "vi": "{kind} {place}", "km": "{kind} {place}", "my": "{place} {kind}",
    "lo": "{kind} {place}", "tl": "{kind} sa {place}", "id": "{kind} {place}", "ms": "{kind} {place}",
    "zh": "{place}{kind}",
}  # fmt: skip

DESCRIPTIONS = {
    "th": "รายการสาธิตสมมติ: {kind} ดำเนินการโดย {organization} ที่{place}",
    "vi": "Danh mục minh họa hư cấu: {kind} do {organization} điều hành tại {place}.",
    "km": "បញ្ជីសាកល្បងប្រឌិត៖ {kind} ដំណើរការដោយ {organization} នៅ{place}។",
    "my": "စမ်းသပ်ပြသရန် စိတ်ကူးယဉ်စာရင်း - {organization} မှ {place} တွင် ဖွင့်လှစ်ထားသော {kind}။",
    "lo": "ລາຍການສາທິດສົມມຸດ: {kind} ດຳເນີນງານໂດຍ {organization} ທີ່{place}.",
    "tl": "Kathang-isip na demo na listahan: {kind} na pinapatakbo ng {organization} sa {place}.",
    "id": "Daftar demo fiktif: {kind} yang dikelola oleh {organization} di {place}.",
    "ms": "Senarai demo rekaan: {kind} yang dikendalikan oleh {organization} di {place}.",
    "zh": "虚构的演示条目：{organization}在{place}运营的{kind}。",
}

ELIGIBILITY = {
    "th": "ผู้เสียหายจากการค้ามนุษย์และผู้ที่มีความเสี่ยง ทั้งที่ได้รับการส่งต่อและมาด้วยตนเอง",
    "vi": "Nạn nhân mua bán người và người có nguy cơ, được giới thiệu hoặc tự tìm đến.",
    "km": "ជនរងគ្រោះពីការជួញដូរមនុស្ស និងអ្នកដែលប្រឈមនឹងហានិភ័យ ដែលត្រូវបានបញ្ជូនមក ឬមកដោយខ្លួនឯង។",
    "my": "လူကုန်ကူးခံရသူများနှင့် အန္တရာယ်ရှိသူများ၊ လွှဲပြောင်းပေးပို့ခံရသူ သို့မဟုတ် ကိုယ်တိုင်လာရောက်သူများ။",
    "lo": "ຜູ້ເຄາະຮ້າຍຈາກການຄ້າມະນຸດ ແລະ ຜູ້ທີ່ມີຄວາມສ່ຽງ, ທັງທີ່ຖືກສົ່ງຕໍ່ ແລະ ມາເອງ.",
    "tl": "Mga nakaligtas sa human trafficking at mga taong nanganganib, isinangguni man o kusang lumapit.",
    "id": "Penyintas perdagangan orang dan orang yang berisiko, dirujuk atau datang sendiri.",
    "ms": "Mangsa pemerdagangan orang dan mereka yang berisiko, dirujuk atau datang sendiri.",
    "zh": "人口贩运幸存者及高危人群，经转介或自行前来均可。",
}

# (by referral through the intake line, walk in)
APPLICATION = {
    "th": ("โทรหาสายรับเรื่องก่อน เจ้าหน้าที่จะนัดหมายการเข้าพบให้", "มาในเวลาทำการหรือโทรนัดล่วงหน้า"),
    "vi": ("Hãy gọi đường dây tiếp nhận trước; nhân viên xã hội sẽ sắp xếp buổi gặp.",
           "Đến trong giờ làm việc hoặc gọi điện trước."),
    "km": ("សូមទូរស័ព្ទទៅខ្សែទទួលករណីជាមុនសិន បុគ្គលិកសង្គមកិច្ចនឹងរៀបចំការជួប។", "សូមមកក្នុងម៉ោងធ្វើការ ឬទូរស័ព្ទមកជាមុន។"),
    "my": ("လက်ခံရေးဖုန်းလိုင်းကို ဦးစွာဆက်သွယ်ပါ၊ လူမှုဝန်ထမ်းက တွေ့ဆုံရန် စီစဉ်ပေးပါမည်။",
           "ရုံးဖွင့်ချိန်အတွင်း လာရောက်ပါ သို့မဟုတ် ကြိုတင်ဖုန်းဆက်ပါ။"),
    "lo": ("ກະລຸນາໂທຫາສາຍຮັບເລື່ອງກ່ອນ; ພະນັກງານສັງຄົມຈະນັດໝາຍການຢ້ຽມຢາມ.", "ມາໃນເວລາເຮັດການ ຫຼື ໂທນັດລ່ວງໜ້າ."),
    "tl": ("Tumawag muna sa intake line; isang caseworker ang mag-aayos ng pagbisita.",
           "Pumunta sa oras ng opisina o tumawag muna."),
    "id": ("Hubungi saluran penerimaan terlebih dahulu; pekerja sosial akan mengatur kunjungan.",
           "Datang pada jam buka atau telepon terlebih dahulu."),
    "ms": ("Hubungi talian pengambilan dahulu; pekerja kes akan mengatur lawatan.",
           "Datang semasa waktu pejabat atau telefon dahulu."),
    "zh": ("请先拨打接案热线，个案工作者会安排来访。", "请在办公时间前来或提前致电。"),
}  # fmt: skip


def translation_for(kind: str, place, organization_name: str, confidential: bool) -> dict | None:
    """The texts of a demo listing in its country's main language, or None where the demo keeps English only."""
    language = COUNTRY_LANGUAGE.get(place.country)
    if language is None:
        return None
    local_place = place.local_name or place.name
    kind_name = KIND_NAMES[language][KINDS.index(kind)]
    return {
        "language": language,
        "name": NAME_PATTERNS[language].format(kind=kind_name, place=local_place),
        "description": DESCRIPTIONS[language].format(kind=kind_name, organization=organization_name, place=local_place),
        "eligibility_description": ELIGIBILITY[language],
        "application_process": APPLICATION[language][0 if confidential else 1],
    }
