"""The demo city 江川市 (Jiangchuan) of the fictitious province 示范省: organisations and catalog.

Pure Python and deterministic: ``organizations()`` returns the document that
``organizations_import`` takes, ``catalog()`` the catalog exchange document
(docs/catalog-format.md). Region codes start with 99, which GB/T 2260 does not use.
"""

from __future__ import annotations

import copy
from typing import Any

from tongban.catalog.application import DEFAULT_FORM
from tongban.core.ids import org_code_check, uscc_check

# ---------------------------------------------------------------------------------------------
# Unified social credit codes (GB 32100-2015, organisation code GB 11714)


def credit_code(region: str, serial: int, *, prefix: str = "11", org: str = "MB") -> str:
    """A valid unified social credit code for an organ of ``region`` (机构编制, 机关)."""
    body = f"{org}{serial:06d}"
    org_code = body + org_code_check(body)
    head = f"{prefix}{region}{org_code}"
    return head + uscc_check(head)


# ---------------------------------------------------------------------------------------------
# Organisations

PROVINCE = "990000"
CITY = "990100"
CITY_NAME = "江川市"
PHONE_PREFIX = "0999-"

# The body that defines the demo province's certificate types (the type code is its credit
# code followed by three digits).
CERTIFICATE_DEFINING_BODY = credit_code(PROVINCE, 900)

# code, name, name_en, streets (name, name_en)
DISTRICTS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "990102",
        "临江区",
        "Linjiang District",
        [
            ("滨江街道", "Binjiang Subdistrict"),
            ("望江街道", "Wangjiang Subdistrict"),
            ("江湾街道", "Jiangwan Subdistrict"),
        ],
    ),
    (
        "990103",
        "青山区",
        "Qingshan District",
        [
            ("青山街道", "Qingshan Subdistrict"),
            ("松林街道", "Songlin Subdistrict"),
            ("云岭镇", "Yunling Town"),
        ],
    ),
    (
        "990104",
        "明湖区",
        "Minghu District",
        [("明湖街道", "Minghu Subdistrict"), ("柳岸街道", "Liu'an Subdistrict")],
    ),
    (
        "990105",
        "江川高新技术产业开发区",
        "Jiangchuan High-tech Industrial Development Zone",
        [("创新街道", "Chuangxin Subdistrict"), ("科园街道", "Keyuan Subdistrict")],
    ),
]
DISTRICT_SHORT = {"990102": "临江", "990103": "青山", "990104": "明湖", "990105": "高新区"}
COMMUNITIES: dict[str, list[tuple[str, str]]] = {
    "990102001": [("滨江社区", "Binjiang Community"), ("码头社区", "Matou Community")],
    "990102002": [("望江社区", "Wangjiang Community"), ("观澜社区", "Guanlan Community")],
    "990103001": [("青山社区", "Qingshan Community"), ("翠竹社区", "Cuizhu Community")],
    "990104001": [("明湖社区", "Minghu Community"), ("荷塘社区", "Hetang Community")],
    "990105001": [("创业社区", "Chuangye Community"), ("智谷社区", "Zhigu Community")],
}

# key, name (after 江川市), name_en (after "Jiangchuan"), short name, address
CITY_DEPARTMENTS: list[tuple[str, str, str, str, str]] = [
    (
        "amr",
        "市场监督管理局",
        "Municipal Administration for Market Regulation",
        "市市场监管局",
        "江川市临江区人民路100号",
    ),
    ("psb", "公安局", "Municipal Public Security Bureau", "市公安局", "江川市临江区中山路1号"),
    (
        "hrss",
        "人力资源和社会保障局",
        "Municipal Human Resources and Social Security Bureau",
        "市人社局",
        "江川市明湖区湖滨路18号",
    ),
    (
        "hpf",
        "住房公积金管理中心",
        "Housing Provident Fund Management Centre",
        "市公积金中心",
        "江川市明湖区金融街6号",
    ),
    (
        "health",
        "卫生健康委员会",
        "Municipal Health Commission",
        "市卫健委",
        "江川市临江区健康路9号",
    ),
    ("civil", "民政局", "Municipal Civil Affairs Bureau", "市民政局", "江川市临江区民安路22号"),
    (
        "housing",
        "住房和城乡建设局",
        "Municipal Housing and Urban-Rural Development Bureau",
        "市住建局",
        "江川市青山区建设大道88号",
    ),
    (
        "transport",
        "交通运输局",
        "Municipal Transport Bureau",
        "市交通运输局",
        "江川市青山区通达路16号",
    ),
    (
        "land",
        "自然资源和规划局",
        "Municipal Natural Resources and Planning Bureau",
        "市自然资源规划局",
        "江川市明湖区规划路3号",
    ),
    (
        "eco",
        "生态环境局",
        "Municipal Ecology and Environment Bureau",
        "市生态环境局",
        "江川市青山区绿源路12号",
    ),
    ("edu", "教育局", "Municipal Education Bureau", "市教育局", "江川市临江区文昌路5号"),
    (
        "tax",
        "税务局",
        "Municipal Tax Service, State Taxation Administration",
        "市税务局",
        "江川市明湖区财税路1号",
    ),
    (
        "medical",
        "医疗保障局",
        "Municipal Healthcare Security Bureau",
        "市医保局",
        "江川市明湖区湖滨路20号",
    ),
    (
        "culture",
        "文化广电旅游局",
        "Municipal Culture, Radio, Television and Tourism Bureau",
        "市文广旅局",
        "江川市临江区文化路8号",
    ),
    (
        "urban",
        "城市管理局",
        "Municipal Urban Management Bureau",
        "市城管局",
        "江川市青山区市政路30号",
    ),
    (
        "approval",
        "行政审批服务局",
        "Municipal Administrative Approval Services Bureau",
        "市行政审批局",
        "江川市明湖区市民大道1号市民中心",
    ),
    (
        "veterans",
        "退役军人事务局",
        "Municipal Veterans Affairs Bureau",
        "市退役军人局",
        "江川市临江区拥军路2号",
    ),
    (
        "emergency",
        "应急管理局",
        "Municipal Emergency Management Bureau",
        "市应急局",
        "江川市青山区安宁路7号",
    ),
    (
        "agri",
        "农业农村局",
        "Municipal Agriculture and Rural Affairs Bureau",
        "市农业农村局",
        "江川市青山区丰收路11号",
    ),
    ("commerce", "商务局", "Municipal Commerce Bureau", "市商务局", "江川市明湖区商贸路15号"),
    (
        "disabled",
        "残疾人联合会",
        "Municipal Disabled Persons' Federation",
        "市残联",
        "江川市临江区博爱路6号",
    ),
    ("water", "水务局", "Municipal Water Affairs Bureau", "市水务局", "江川市临江区滨江路40号"),
    ("justice", "司法局", "Municipal Justice Bureau", "市司法局", "江川市临江区正义路4号"),
    ("stats", "统计局", "Municipal Statistics Bureau", "市统计局", "江川市明湖区湖滨路26号"),
]
# key, name (after the district name), name_en, parent city department key
DISTRICT_DEPARTMENTS: list[tuple[str, str, str, str]] = [
    ("psb", "公安分局", "Public Security Sub-bureau", "psb"),
    ("approval", "行政审批服务局", "Administrative Approval Services Bureau", "approval"),
]


def _department_name(key: str, name: str) -> str:
    if key == "tax":
        return f"国家税务总局{CITY_NAME}税务局"
    return f"{CITY_NAME}{name}"


def _city_departments() -> dict[str, str]:
    """City department key → credit code."""
    return {key: credit_code(CITY, 1 + i) for i, (key, *_rest) in enumerate(CITY_DEPARTMENTS)}


def _district_departments() -> dict[tuple[str, str], str]:
    """(district code, key) → credit code."""
    codes = {}
    for d, (district, *_rest) in enumerate(DISTRICTS):
        for k, (key, *_more) in enumerate(DISTRICT_DEPARTMENTS):
            codes[(district, key)] = credit_code(district, 101 + 10 * d + k)
    return codes


def department_codes() -> dict[str, str]:
    """Keys "amr", "psb", … (city) and "990102/psb", … (district) → credit code."""
    codes = dict(_city_departments())
    for (district, key), code in _district_departments().items():
        codes[f"{district}/{key}"] = code
    return codes


def _phone(n: int) -> str:
    return f"{PHONE_PREFIX}{88000000 + n * 1111:08d}"


def _regions() -> list[dict[str, Any]]:
    regions: list[dict[str, Any]] = [
        {
            "code": PROVINCE,
            "name": "示范省",
            "name_en": "Shifan Province",
            "level": "province",
            "parent": None,
        },
        {
            "code": CITY,
            "name": CITY_NAME,
            "name_en": "Jiangchuan",
            "level": "city",
            "parent": PROVINCE,
        },
    ]
    for district, name, name_en, _streets in DISTRICTS:
        regions.append(
            {
                "code": district,
                "name": name,
                "name_en": name_en,
                "level": "district",
                "parent": CITY,
            }
        )
    for district, _name, _name_en, streets in DISTRICTS:
        for s, (street, street_en) in enumerate(streets, start=1):
            street_code = f"{district}{s:03d}"
            regions.append(
                {
                    "code": street_code,
                    "name": street,
                    "name_en": street_en,
                    "level": "street",
                    "parent": district,
                }
            )
            for c, (community, community_en) in enumerate(COMMUNITIES.get(street_code, []), 1):
                regions.append(
                    {
                        "code": f"{street_code}{c:03d}",
                        "name": community,
                        "name_en": community_en,
                        "level": "community",
                        "parent": street_code,
                    }
                )
    return regions


def _departments() -> list[dict[str, Any]]:
    city_codes = _city_departments()
    departments = []
    for i, (key, name, name_en, short, address) in enumerate(CITY_DEPARTMENTS):
        departments.append(
            {
                "credit_code": city_codes[key],
                "name": _department_name(key, name),
                "name_en": f"Jiangchuan {name_en}",
                "short_name": short,
                "region": CITY,
                "parent": None,
                "phone": _phone(i + 1),
                "address": address,
            }
        )
    district_codes = _district_departments()
    for d, (district, d_name, d_name_en, _streets) in enumerate(DISTRICTS):
        for k, (key, name, name_en, parent) in enumerate(DISTRICT_DEPARTMENTS):
            departments.append(
                {
                    "credit_code": district_codes[(district, key)],
                    "name": (d_name if d_name.startswith("江川") else CITY_NAME + d_name) + name
                    if key == "approval"
                    else f"{CITY_NAME}公安局{d_name}分局",
                    "name_en": f"{d_name_en} {name_en}, Jiangchuan",
                    "short_name": DISTRICT_SHORT[district]
                    + ("审批局" if key == "approval" else "公安分局"),
                    "region": district,
                    "parent": city_codes[parent],
                    "phone": _phone(40 + 2 * d + k),
                    "address": f"{CITY_NAME}{d_name}政务路{10 + d * 3 + k}号",
                }
            )
    return departments


CITY_HALL_WINDOWS: list[tuple[str, str, str]] = [
    ("综合受理窗口一（无差别受理）", "Comprehensive window 1 (any item)", "comprehensive"),
    ("综合受理窗口二（无差别受理）", "Comprehensive window 2 (any item)", "comprehensive"),
    ("综合受理窗口三（无差别受理）", "Comprehensive window 3 (any item)", "comprehensive"),
    ("综合受理窗口四（无差别受理）", "Comprehensive window 4 (any item)", "comprehensive"),
    ("企业开办专区", "Business start-up corner", "specialised"),
    ("工程建设项目审批专区", "Construction project approval corner", "specialised"),
    ("不动产登记专区", "Real estate registration corner", "specialised"),
    ("社会保障服务窗口", "Social security window", "specialised"),
    ("住房公积金窗口", "Housing provident fund window", "specialised"),
    ("户政出入境窗口", "Household and exit-entry window", "specialised"),
    ("税务服务窗口", "Tax service window", "specialised"),
    ("统一出件窗口（一口发证）", "Result issuing window", "comprehensive"),
    ("“办不成事”反映窗口", "Unresolved problems window", "comprehensive"),
]
DISTRICT_HALL_WINDOWS: list[tuple[str, str, str]] = [
    ("综合受理窗口一", "Comprehensive window 1", "comprehensive"),
    ("综合受理窗口二", "Comprehensive window 2", "comprehensive"),
    ("户政窗口", "Household registration window", "specialised"),
    ("社保医保窗口", "Social and medical insurance window", "specialised"),
    ("企业服务窗口", "Business services window", "specialised"),
    ("出件窗口", "Result issuing window", "comprehensive"),
]
OFFICE_HOURS = "周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）；周六 9:00-12:00 延时服务"


def _halls() -> list[dict[str, Any]]:
    def windows(table: list[tuple[str, str, str]], count: int) -> list[dict[str, Any]]:
        return [
            {"number": f"{n:02d}", "name": name, "name_en": name_en, "kind": kind}
            for n, (name, name_en, kind) in enumerate(table[:count], start=1)
        ]

    halls = [
        {
            "code": "JC-SMZX",
            "name": "江川市市民中心政务服务大厅",
            "name_en": "Jiangchuan Citizen Centre Government Services Hall",
            "region": CITY,
            "address": "江川市明湖区市民大道1号市民中心一至三楼",
            "office_hours": OFFICE_HOURS,
            "phone": "0999-12345000",
            "windows": windows(CITY_HALL_WINDOWS, len(CITY_HALL_WINDOWS)),
        }
    ]
    for d, (district, name, name_en, _streets) in enumerate(DISTRICTS):
        halls.append(
            {
                "code": f"JC-{district}",
                "name": f"{CITY_NAME}{name}政务服务中心",
                "name_en": f"{name_en} Government Services Centre",
                "region": district,
                "address": f"{CITY_NAME}{name}政务路{8 + d * 3}号",
                "office_hours": OFFICE_HOURS,
                "phone": f"0999-{66100000 + d * 100:08d}",
                "windows": windows(DISTRICT_HALL_WINDOWS, 4 + d % 3),
            }
        )
    return halls


def organizations() -> dict[str, Any]:
    """Regions (province, city first), departments (parents first) and halls."""
    return {"regions": _regions(), "departments": _departments(), "halls": _halls()}


# ---------------------------------------------------------------------------------------------
# Catalog: themes

# code, name, name_en, kind, audience
THEMES: list[tuple[str, str, str, str, str]] = [
    ("household", "户籍办理", "Household registration", "topic", "person"),
    ("social-security", "社会保险", "Social insurance", "topic", "both"),
    ("employment", "就业创业", "Employment and entrepreneurship", "topic", "person"),
    ("housing", "住房保障", "Housing and provident fund", "topic", "person"),
    ("medical", "医疗卫生", "Health and medical care", "topic", "both"),
    ("education", "教育", "Education", "topic", "person"),
    ("social-assistance", "社会救助", "Social assistance", "topic", "person"),
    ("market-entity", "市场主体登记", "Business registration", "topic", "company"),
    ("construction", "工程建设", "Construction", "topic", "company"),
    ("transport", "交通出行", "Transport and driving", "topic", "both"),
    ("tax", "税费缴纳", "Taxes and fees", "topic", "both"),
    ("safety", "安全生产", "Work safety", "topic", "company"),
    ("environment", "生态环境", "Ecology and environment", "topic", "company"),
    ("culture-tourism", "文化旅游", "Culture and tourism", "topic", "both"),
    ("law-enforcement", "执法监管", "Enforcement and supervision", "topic", "both"),
    ("birth", "出生", "Having a baby", "life_event", "person"),
    ("school", "上学", "Going to school", "life_event", "person"),
    ("work", "就业", "Getting a job", "life_event", "person"),
    ("marriage", "婚育", "Getting married", "life_event", "person"),
    ("settle", "安居", "Buying or renting a home", "life_event", "person"),
    ("retirement", "退休养老", "Retiring", "life_event", "person"),
    ("disability", "助残", "Living with a disability", "life_event", "person"),
    ("veterans", "退役", "Leaving the armed forces", "life_event", "person"),
    ("start-business", "开办企业", "Starting a business", "life_event", "company"),
    ("build-project", "工程建设项目", "Building a project", "life_event", "company"),
    ("change-business", "企业变更", "Changing a business", "life_event", "company"),
    ("close-business", "企业注销", "Closing a business", "life_event", "company"),
]


def _themes() -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "name": name,
            "name_en": name_en,
            "kind": kind,
            "audience": audience,
            "order": 10 * (i + 1),
        }
        for i, (code, name, name_en, kind, audience) in enumerate(THEMES)
    ]


# ---------------------------------------------------------------------------------------------
# Catalog: materials

_SOURCE_NOTES = {
    "certificate_library": (
        "已归集到电子证照库的，系统自动调取，无需提交纸质材料。",
        "Fetched from the electronic certificate library when held there; no paper needed.",
    ),
    "data_sharing": (
        "通过政务数据共享交换平台核验，申请人无需提供。",
        "Verified through the government data-sharing exchange; the applicant need not provide it.",
    ),
    "department": (
        "由出具单位盖章，须在有效期内。",
        "Must bear the issuing body's seal and be within its validity period.",
    ),
    "applicant": (
        "须由申请人签字（单位申请的加盖公章）。",
        "Must be signed by the applicant (sealed, when a unit applies).",
    ),
}


def _m(
    name: str,
    name_en: str,
    source: str = "applicant",
    detail: str = "",
    form: str = "paper_or_electronic",
    original_copy: str = "original",
    paper_size: str = "A4",
    copies: int = 1,
    notes: str = "",
    notes_en: str = "",
    certificate_type: str = "",
    sharing_service: str = "",
) -> dict[str, Any]:
    default_notes = _SOURCE_NOTES[source]
    return {
        "name": name,
        "name_en": name_en,
        "form": form,
        "original_copy": original_copy,
        "source": source,
        "source_detail": detail or {"applicant": "申请人自备"}.get(source, ""),
        "paper_size": paper_size,
        "copies": copies,
        "notes": notes or default_notes[0],
        "notes_en": notes_en or default_notes[1],
        "certificate_type": certificate_type,
        "sharing_service": sharing_service,
    }


CL, DS, DP = "certificate_library", "data_sharing", "department"

MATERIALS: dict[str, dict[str, Any]] = {
    # identity and family
    "id": _m(
        "居民身份证",
        "Resident identity card",
        CL,
        "公安机关",
        "paper_or_electronic",
        "original",
        "other",
        1,
        "现场核验原件；持电子身份证的可扫码核验。",
        "The original is checked at the window; an electronic ID may be scanned instead.",
    ),
    "hukou": _m("居民户口簿", "Household register booklet", CL, "公安机关", paper_size="other"),
    "photo": _m(
        "近期免冠彩色证件照片",
        "Recent colour ID photo",
        copies=2,
        form="paper",
        paper_size="other",
        notes="白色背景，近6个月内拍摄；窗口可现场免费采集。",
        notes_en="White background, taken within six months; may be taken free on site.",
    ),
    "agent_id": _m("代理人居民身份证", "Agent's identity card", CL, "公安机关", paper_size="other"),
    "proxy": _m(
        "授权委托书",
        "Power of attorney",
        form="paper",
        notes="载明委托事项、权限和期限，委托人签字。",
        notes_en="States the matter, powers and period; signed by the principal.",
    ),
    "kinship": _m(
        "亲属关系证明",
        "Proof of family relationship",
        DS,
        "公安机关户籍信息",
        notes="户口簿可证明亲属关系的，无需另行提供。",
        notes_en="Not needed when the household register shows the relationship.",
    ),
    "birth_med": _m(
        "出生医学证明", "Medical certificate of birth", CL, "助产医疗机构", paper_size="other"
    ),
    "marriage": _m("结婚证", "Marriage certificate", CL, "婚姻登记机关", paper_size="other"),
    "marriage_decl": _m(
        "申请结婚登记声明书",
        "Marriage registration declaration",
        form="paper",
        notes="当事人在婚姻登记员面前亲笔签名。",
        notes_en="Signed by both parties before the registrar.",
    ),
    "divorce_agreement": _m(
        "离婚协议书",
        "Divorce agreement",
        form="paper",
        copies=3,
        notes="载明自愿离婚的意思表示及子女抚养、财产分割等事项。",
        notes_en="States the consent to divorce, child custody and division of property.",
    ),
    "no_marriage": _m("无配偶声明", "Declaration of being unmarried", form="paper"),
    "parents_ids": _m(
        "父母双方居民身份证",
        "Both parents' identity cards",
        CL,
        "公安机关",
        original_copy="original_and_copy",
    ),
    "photo_receipt": _m(
        "数字相片采集回执",
        "Digital photo receipt",
        DP,
        "照相馆或公安窗口",
        form="electronic",
        paper_size="",
    ),
    # residence
    "house_cert": _m("不动产权证书", "Real estate title certificate", CL, "不动产登记机构"),
    "lease": _m(
        "房屋租赁合同",
        "Housing lease contract",
        original_copy="original_and_copy",
        notes="合同期限须在6个月以上。",
        notes_en="The lease must run at least six months.",
    ),
    "lease_reg": _m("房屋租赁登记备案证明", "Lease registration record", DS, "市住房和城乡建设局"),
    "residence_proof": _m(
        "住所证明",
        "Proof of residence",
        DP,
        "社区居民委员会",
        notes="由居住地社区居民委员会出具。",
        notes_en="Issued by the residents' committee of the community.",
    ),
    "labor_contract": _m("劳动合同", "Employment contract", original_copy="copy"),
    "social_record": _m(
        "社会保险参保缴费记录", "Social insurance contribution record", DS, "市人力资源和社会保障局"
    ),
    "enrolment": _m(
        "在读证明",
        "Proof of enrolment",
        DP,
        "就读学校",
        notes="须加盖学校公章，注明入学时间和学制。",
        notes_en="Sealed by the school, with the admission date and length of study.",
    ),
    "company_reg": _m(
        "市场主体登记信息",
        "Market entity registration record",
        DS,
        "市市场监督管理局（法人基础信息库）",
        sharing_service="company-status",
    ),
    "id_verify": _m(
        "申请人身份核验结果",
        "Applicant identity verification",
        DS,
        "市公安局（人口基础信息库）",
        sharing_service="population-verify",
    ),
    "business_lic": _m(
        "营业执照",
        "Business licence",
        CL,
        "市场监督管理部门",
        certificate_type=CERTIFICATE_DEFINING_BODY + "001",
    ),
    "residence_permit": _m(
        "居住证",
        "Residence permit",
        CL,
        "公安机关",
        paper_size="other",
        certificate_type=CERTIFICATE_DEFINING_BODY + "002",
    ),
    "move_permit": _m(
        "准予迁入证明",
        "Permit to move in",
        DP,
        "迁入地公安机关",
        notes="跨省迁移已实现电子化的，无需提交纸质证明。",
        notes_en="Not needed on paper when the move is handled electronically.",
    ),
    "talent_proof": _m(
        "人才引进认定材料", "Talent introduction approval", DP, "市人力资源和社会保障局"
    ),
    "degree": _m("学历学位证书", "Academic degree certificate", DS, "学信网学历信息"),
    # company registration
    "articles": _m(
        "公司章程",
        "Articles of association",
        notes="全体股东签字（盖章）；可使用江川市公司章程参考范本。",
        notes_en="Signed or sealed by all shareholders; the city's model may be used.",
    ),
    "shareholders": _m(
        "股东主体资格证明",
        "Proof of the shareholders' identity",
        original_copy="copy",
        notes="自然人股东的身份证件信息通过数据共享核验。",
        notes_en="Natural-person shareholders are verified by data sharing.",
    ),
    "officers": _m(
        "法定代表人、董事、监事和经理的任职文件",
        "Appointment of the legal representative, directors, supervisors and managers",
        notes="依照公司章程由股东会决议或股东决定作出。",
        notes_en="Made by shareholders' resolution or decision under the articles.",
    ),
    "resolution": _m("股东会决议", "Shareholders' resolution"),
    "landlord_title": _m(
        "出租方房屋产权证明", "Landlord's title certificate", CL, "不动产登记机构"
    ),
    "park_proof": _m(
        "园区入驻证明", "Industrial park admission certificate", DP, "江川高新区管委会"
    ),
    "own_title": _m("房屋产权证明", "Title certificate of the premises", CL, "不动产登记机构"),
    "free_use": _m("无偿使用证明", "Certificate of free use", original_copy="original"),
    "clearance": _m(
        "清算报告",
        "Liquidation report",
        notes="经股东会确认并由清算组成员签字。",
        notes_en="Confirmed by the shareholders and signed by the liquidation group.",
    ),
    "tax_clear": _m("清税证明", "Tax clearance certificate", DS, "国家税务总局江川市税务局"),
    "announcement": _m(
        "注销公告证明", "Proof of the deregistration notice", DS, "国家企业信用信息公示系统"
    ),
    "change_form": _m("变更事项说明及相关证明文件", "Description of the change with proofs"),
    "operator_id": _m("经营者身份证明", "Operator's identity document", CL, "公安机关"),
    "premises": _m(
        "经营场所使用证明",
        "Proof of use of the premises",
        original_copy="copy",
        notes="自有房产提供产权证明，租赁的提供租赁合同。",
        notes_en="Title certificate for own premises, lease contract when rented.",
    ),
    # food, health, licences
    "food_layout": _m(
        "经营场所平面图和设备布局图", "Floor plan and equipment layout", paper_size="A3"
    ),
    "food_rules": _m("食品安全管理制度", "Food safety management rules"),
    "food_staff": _m(
        "从业人员健康证明",
        "Health certificates of the staff",
        DP,
        "体检医疗机构",
        original_copy="copy",
    ),
    "food_licence": _m("食品经营许可证", "Food business licence", CL, "市场监督管理部门"),
    "equipment": _m("主要设备设施清单", "List of main equipment"),
    "quality_mgr": _m(
        "质量负责人资格证明", "Qualification of the quality manager", original_copy="copy"
    ),
    "hygiene_check": _m("卫生检测（评价）报告", "Hygiene testing report", DP, "具备资质的检测机构"),
    "medical_staff": _m(
        "医务人员执业证书", "Practising certificates of medical staff", CL, "卫生健康行政部门"
    ),
    "site_plan": _m("场所平面布局图", "Site layout plan", paper_size="A3"),
    "fire_check": _m(
        "消防安全检查合格证明",
        "Fire safety inspection certificate",
        DP,
        "消防救援机构",
        notes="实行告知承诺的，可提交消防安全承诺书。",
        notes_en="Under the notify-and-commit system a commitment may be given.",
    ),
    "safety_rules": _m("安全生产管理制度和操作规程", "Work safety rules and procedures"),
    "safety_officer": _m(
        "安全管理人员考核合格证明", "Safety manager's qualification", CL, "应急管理部门"
    ),
    "emergency_plan": _m("生产安全事故应急预案", "Accident emergency plan"),
    "storage": _m("储存设施情况说明", "Description of storage facilities", paper_size="A3"),
    # construction and land
    "land_use": _m("建设用地规划许可证", "Land-use planning permit", CL, "自然资源和规划部门"),
    "plan_permit": _m(
        "建设工程规划许可证", "Construction project planning permit", CL, "自然资源和规划部门"
    ),
    "contract": _m("施工合同", "Construction contract", DS, "工程建设项目审批管理系统"),
    "drawing_review": _m(
        "施工图设计文件审查合格书", "Construction drawing review certificate", DS, "施工图审查机构"
    ),
    "quality_plan": _m("保证工程质量和安全的具体措施", "Quality and safety measures"),
    "funds": _m(
        "建设资金已经落实承诺书", "Commitment that construction funds are in place", form="paper"
    ),
    "design_plan": _m("建设工程设计方案", "Design scheme", paper_size="A3", copies=2),
    "project_approval": _m(
        "项目批准、核准或备案文件",
        "Project approval or filing document",
        DS,
        "投资项目在线审批监管平台",
    ),
    "land_title": _m(
        "国有土地使用权证明", "State-owned land use right certificate", CL, "不动产登记机构"
    ),
    "eia_report": _m("环境影响报告表", "Environmental impact report form", copies=2),
    "eia_opinion": _m(
        "技术评估意见", "Technical assessment opinion", DP, "环境影响评价技术评估机构"
    ),
    "monitoring": _m("污染物排放监测报告", "Emission monitoring report", DP, "具备资质的监测机构"),
    "completion": _m("工程竣工验收报告", "Completion acceptance report"),
    "survey": _m("地籍调查成果", "Cadastral survey results", DP, "测绘机构"),
    "tax_paid": _m("完税凭证", "Tax payment certificate", DS, "税务部门"),
    # transport
    "vehicles": _m(
        "营运车辆行驶证及技术等级评定证明",
        "Vehicle licences and technical grading",
        DP,
        "机动车检测机构",
        original_copy="copy",
    ),
    "drivers": _m(
        "驾驶人员从业资格证",
        "Drivers' professional qualification certificates",
        CL,
        "交通运输部门",
        original_copy="copy",
    ),
    "driving_licence": _m(
        "机动车驾驶证", "Driving licence", CL, "公安机关交通管理部门", paper_size="other"
    ),
    "health_exam": _m(
        "机动车驾驶人身体条件证明",
        "Driver's medical certificate",
        DS,
        "指定医疗机构",
        notes="医疗机构上传后自动共享，无需纸质证明。",
        notes_en="Shared automatically once the clinic uploads it.",
    ),
    "vehicle_reg": _m(
        "机动车登记证书", "Motor vehicle registration certificate", CL, "公安机关交通管理部门"
    ),
    # social security and benefits
    "ssc_old": _m(
        "原社会保障卡",
        "Old social security card",
        paper_size="other",
        notes="卡片损坏换卡时交回原卡；遗失的无需提供。",
        notes_en="Hand back the damaged card; not needed when it was lost.",
    ),
    "bank_account": _m("本人银行账户信息", "Own bank account details", original_copy="copy"),
    "income": _m(
        "家庭经济状况核对授权书",
        "Authorisation to check household finances",
        form="paper",
        notes="共同生活的家庭成员均须签字。",
        notes_en="Signed by every member of the household.",
    ),
    "family_assets": _m("家庭成员及收入财产申报表", "Declaration of household income and assets"),
    "disability_cert": _m("残疾人证", "Disability certificate", CL, "残疾人联合会"),
    "diagnosis": _m("诊断证明", "Medical diagnosis certificate", DP, "二级以上医疗机构"),
    "student_cert": _m("学生证或在读证明", "Student card or proof of enrolment", DP, "就读学校"),
    "unemployed": _m(
        "失业登记证明", "Proof of unemployment registration", DS, "市人力资源和社会保障局"
    ),
    "termination": _m("解除或终止劳动关系证明", "Proof of the end of employment", DP, "原用人单位"),
    "invoices": _m("医疗费用票据", "Medical expense receipts", original_copy="original"),
    "cost_list": _m("费用明细清单", "Itemised expense list", DP, "就诊医疗机构"),
    "discharge": _m("出院小结", "Discharge summary", DP, "就诊医疗机构", original_copy="copy"),
    "referral": _m("异地就医备案信息", "Out-of-area treatment filing", DS, "国家医保服务平台"),
    "injury_report": _m("工伤认定申请表及事故经过说明", "Work injury application and account"),
    "injury_decision": _m("工伤认定决定书", "Work injury decision", CL, "人力资源和社会保障部门"),
    "capacity_report": _m("劳动能力鉴定结论", "Work capacity appraisal", DS, "劳动能力鉴定委员会"),
    "retire_approval": _m("退休审批表", "Retirement approval form", DS, "市人力资源和社会保障局"),
    "veteran_cert": _m("退役证件", "Discharge certificate", CL, "部队或退役军人事务部门"),
    "pension_cert": _m("优抚对象证件", "Entitled group certificate", CL, "退役军人事务部门"),
    "age_proof": _m("户籍信息", "Household registration data", DS, "公安机关户籍信息"),
    # provident fund
    "hpf_info": _m(
        "住房公积金缴存信息", "Provident fund contribution data", DS, "市住房公积金管理中心"
    ),
    "purchase_contract": _m(
        "商品房买卖合同网签备案信息",
        "Online filing of the purchase contract",
        DS,
        "市住房和城乡建设局",
    ),
    "purchase_invoice": _m("购房发票", "Purchase invoice", DS, "税务部门电子发票"),
    "rent_invoice": _m(
        "房租发票或租金支付凭证", "Rent invoices or payment records", original_copy="copy"
    ),
    "no_house": _m(
        "本市无自有住房证明", "Proof of owning no home in the city", DS, "不动产登记信息"
    ),
    "loan_contract": _m("借款合同", "Loan contract", DP, "受托银行"),
    "hpf_register": _m("住房公积金缴存登记表", "Provident fund registration form"),
    # education, professions, culture
    "vaccination": _m("预防接种证", "Vaccination record", CL, "接种单位"),
    "school_transfer": _m("转学申请表", "School transfer form", form="paper"),
    "exam_pass": _m("考试合格证明", "Proof of passing the examination", DS, "人事考试机构"),
    "work_years": _m(
        "从事相关专业工作年限证明", "Proof of years of professional work", DP, "所在单位"
    ),
    "training_cert": _m("职业培训合格证书", "Vocational training certificate", CL, "职业培训机构"),
    "school_funds": _m("办学资金证明", "Proof of school funds", DP, "会计师事务所"),
    "teachers": _m(
        "教师资格证明", "Teachers' qualifications", CL, "教育行政部门", original_copy="copy"
    ),
    "performers": _m("演出场所安全评价报告", "Venue safety assessment", DP, "评价机构"),
    "guides": _m("导游及管理人员名单", "List of tour guides and managers"),
    "deposit": _m("旅游服务质量保证金存单", "Tour service quality deposit receipt", DP, "商业银行"),
    # enforcement
    "statement": _m(
        "陈述申辩书",
        "Written statement and defence",
        form="paper",
        notes="当事人在收到告知书之日起5个工作日内提出。",
        notes_en="Submitted within five working days of the notice.",
    ),
    "hearing_request": _m("听证申请书", "Request for a hearing", form="paper"),
    "evidence": _m("证据材料", "Evidence", original_copy="original_and_copy"),
    "ledger": _m(
        "相关台账和记录",
        "Ledgers and records",
        notes="检查时现场出示。",
        notes_en="Shown on site during the inspection.",
    ),
    "rectification": _m("整改报告", "Rectification report"),
    "payment_receipt": _m("罚没款缴纳凭证", "Receipt for the fine", DS, "非税收入收缴系统"),
    "arbitration_app": _m(
        "仲裁申请书",
        "Arbitration application",
        copies=2,
        notes="按被申请人人数提交副本。",
        notes_en="One copy for each respondent.",
    ),
    "dispute_proof": _m("争议事实及证据材料", "Facts of the dispute and evidence"),
    "ownership_proof": _m("权属来源证明", "Proof of the origin of the right"),
    "report_letter": _m("举报材料", "Report and supporting evidence"),
    "deeds": _m(
        "事迹材料",
        "Account of the deed",
        notes="由所在单位或社区核实盖章。",
        notes_en="Verified and sealed by the employer or community.",
    ),
    "wage_report": _m("缴费工资申报表", "Contribution wage declaration"),
    "fee_notice": _m("缴费通知书", "Payment notice", DP, "征收部门"),
    "project_list": _m("项目建设规模说明", "Description of the project scale"),
    "compensation": _m("征收补偿协议", "Compensation agreement", DP, "房屋征收部门"),
    "water_report": _m(
        "建设项目水资源论证报告", "Water resource assessment report", DP, "论证机构"
    ),
    "ad_design": _m("广告设施设计图及效果图", "Design and rendering of the sign", paper_size="A3"),
    "waste_contract": _m(
        "建筑垃圾运输处置合同", "Construction waste disposal contract", original_copy="copy"
    ),
    "road_plan": _m("占用挖掘道路施工方案", "Road works plan", paper_size="A3"),
    "traffic_plan": _m("交通安全保障方案", "Traffic safety plan"),
    "pesticide_staff": _m(
        "农药专业技术人员证明", "Pesticide specialist's qualification", original_copy="copy"
    ),
    "animal_plan": _m("动物防疫设施设备清单", "Animal epidemic prevention facilities"),
    "ngo_articles": _m("社会团体章程草案", "Draft articles of the association"),
    "ngo_members": _m("会员名单及发起人简历", "Members and founders' résumés"),
    "annual_report": _m("年度工作报告书", "Annual work report"),
    "audit_report": _m("财务审计报告", "Financial audit report", DP, "会计师事务所"),
    "info_request": _m("政府信息公开申请表", "Request for government information"),
    "library_deposit": _m(
        "借阅押金（可免押）",
        "Lending deposit (may be waived)",
        form="paper",
        paper_size="",
        notes="信用良好的读者可凭信用免押。",
        notes_en="Readers with a good credit record may skip the deposit.",
    ),
    "legal_aid_form": _m("法律援助申请表", "Legal aid application form"),
    "hardship_commit": _m(
        "经济困难状况说明表",
        "Statement of financial hardship",
        notes="实行个人诚信承诺。",
        notes_en="Under a personal commitment.",
    ),
    "mediation_app": _m("调解申请", "Mediation request"),
    "assistive_need": _m(
        "辅助器具需求评估表", "Assistive device needs assessment", DP, "辅助器具服务机构"
    ),
    "employment_reg": _m("用工备案信息表", "Employment filing form"),
    "vat_info": _m("发票领用申请", "Invoice request"),
    "tax_registration": _m("新办纳税人涉税事项综合申请表", "Combined tax registration form"),
    "e_bike": _m(
        "电动自行车购车发票及合格证",
        "E-bike invoice and certificate of conformity",
        original_copy="original_and_copy",
    ),
    "criminal_purpose": _m("用途说明", "Statement of purpose", form="electronic", paper_size=""),
    "archives": _m("档案转递通知", "Personnel file transfer notice", DP, "原档案保管单位"),
    "commitment": _m(
        "告知承诺书",
        "Notify-and-commit declaration",
        form="paper",
        notes="申请人书面承诺符合条件，虚假承诺将承担法律责任。",
        notes_en="The applicant commits in writing to meeting the conditions; "
        "false commitments carry legal liability.",
    ),
}


# ---------------------------------------------------------------------------------------------
# Catalog: defaults per item type

# process, process_en, acceptance conditions, acceptance conditions (en), result (name, en, type)
_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    "01": {
        "process": "1. 申请：通过江川市政务服务网或综合窗口提交申请\n"
        "2. 受理：材料齐全、符合法定形式的当场受理\n"
        "3. 审查：对申请材料进行审查，需要现场核查的组织核查\n4. 决定：作出准予或不予许可的决定\n"
        "5. 送达：统一出件窗口领取或免费邮寄",
        "process_en": "1. Apply on the Jiangchuan government services portal or at a "
        "comprehensive window\n2. Acceptance when the materials are complete\n3. Review, with an "
        "on-site check where needed\n4. Decision to grant or refuse\n5. Collect the result or "
        "receive it by post",
        "cond": "申请人符合法律法规规定的许可条件，申请材料齐全、符合法定形式。",
        "cond_en": "The applicant meets the statutory conditions and the materials are complete "
        "and in the required form.",
        "result": ("准予行政许可决定书", "Decision granting the licence", "approval_document"),
        "special": "需要现场核查、听证、专家评审的，所需时间不计入办理时限。",
        "depth": 4,
        "limits": (20, 10),
    },
    "02": {
        "process": "1. 立案\n2. 调查取证\n3. 审查\n4. 告知当事人拟处罚内容及陈述、申辩、听证权利\n"
        "5. 作出处罚决定\n6. 送达\n7. 执行",
        "process_en": "1. Case opened\n2. Investigation and evidence\n3. Review\n4. Notice of the "
        "intended penalty and of the rights to state a defence and request a hearing\n"
        "5. Penalty decision\n6. Service\n7. Enforcement",
        "cond": "经调查，当事人存在违反法律法规的行为，依法应当给予行政处罚。",
        "cond_en": "The investigation finds a violation that the law punishes by an "
        "administrative penalty.",
        "result": ("行政处罚决定书", "Administrative penalty decision", "approval_document"),
        "special": "听证、公告、检测、检验、鉴定的时间不计入办案期限。",
        "depth": 2,
        "limits": (90, 60),
    },
    "03": {
        "process": "1. 报经行政机关负责人批准\n2. 两名以上执法人员出示执法证件\n"
        "3. 通知当事人到场，告知理由、依据和当事人享有的权利\n4. 听取陈述和申辩\n"
        "5. 制作现场笔录并交付决定书和清单\n6. 依法作出处理决定",
        "process_en": "1. Approval by the head of the authority\n2. At least two officers show "
        "their credentials\n3. The party is called and told the reasons, basis and rights\n"
        "4. The party's statement is heard\n5. On-site record, decision and list handed over\n"
        "6. Decision on the seized items",
        "cond": "有证据证明存在危害公共安全、人身健康或可能被转移、隐匿、灭失的违法物品或场所。",
        "cond_en": "Evidence shows a danger to public safety or health, or that illegal goods "
        "or premises may be moved, hidden or destroyed.",
        "result": ("行政强制措施决定书", "Decision on the compulsory measure", "approval_document"),
        "special": "需要检测、检验、检疫或者技术鉴定的，期间不计入强制措施期限。",
        "depth": 2,
        "limits": (30, 30),
    },
    "04": {
        "process": "1. 申报：缴费人按期申报\n2. 核定：征收机关核定应缴金额\n"
        "3. 缴纳：线上或银行柜台缴纳\n"
        "4. 开具凭证：出具电子缴款凭证",
        "process_en": "1. The payer declares on time\n2. The authority assesses the amount due\n"
        "3. Payment online or at a bank\n4. An electronic receipt is issued",
        "cond": "属于法定征收范围的单位和个人，按规定申报缴纳。",
        "cond_en": "Units and persons within the statutory scope declare and pay as required.",
        "result": ("电子缴款凭证", "Electronic payment receipt", "other"),
        "special": "",
        "depth": 4,
        "limits": (15, 5),
    },
    "05": {
        "process": "1. 申请：向户籍或居住地提出申请\n2. 受理：材料齐全的即时受理\n"
        "3. 审核：入户调查、经济状况核对\n"
        "4. 公示：审核结果公示7天\n5. 审批发放：按月发放至本人账户",
        "process_en": "1. Apply where you are registered or live\n2. Acceptance when complete\n"
        "3. Review: home visit and financial check\n4. Public notice of the result for seven "
        "days\n5. Approval and monthly payment to your account",
        "cond": "符合本市规定的给付对象条件，如实申报家庭或个人情况。",
        "cond_en": "You meet the city's eligibility rules and truthfully declare your "
        "circumstances.",
        "result": ("待遇核定通知书", "Benefit decision notice", "other"),
        "special": "入户调查、公示期间不计入办理时限。",
        "depth": 3,
        "limits": (30, 15),
    },
    "06": {
        "process": "1. 制定检查计划（“双随机、一公开”抽取检查对象和执法人员）\n"
        "2. 实施检查并制作检查记录\n"
        "3. 发现问题的责令整改\n4. 检查结果向社会公示",
        "process_en": "1. Inspection plan (random selection of targets and inspectors, results "
        "published)\n2. Inspection and record\n3. Order to rectify problems found\n"
        "4. Results published",
        "cond": "列入年度监督检查计划或经投诉举报、随机抽查确定的检查对象。",
        "cond_en": "Units in the annual plan or selected by complaint or random check.",
        "result": ("监督检查记录", "Inspection record", "other"),
        "special": "",
        "depth": 2,
        "limits": (30, 20),
    },
    "07": {
        "process": "1. 申请：网上或窗口提交\n2. 受理\n3. 审核：核查申请信息\n"
        "4. 确认：作出确认决定\n"
        "5. 发证：同步生成电子证照",
        "process_en": "1. Apply online or at a window\n2. Acceptance\n3. Check of the "
        "information\n4. Confirmation\n5. Issue, with an electronic certificate",
        "cond": "申请事项事实清楚，符合法律法规规定的确认条件。",
        "cond_en": "The facts are clear and meet the statutory conditions for confirmation.",
        "result": ("确认结果", "Confirmation", "certificate"),
        "special": "需要调查核实的，调查核实时间不计入办理时限。",
        "depth": 3,
        "limits": (20, 5),
    },
    "08": {
        "process": "1. 推荐申报\n2. 资格审查\n3. 评审\n4. 公示（不少于5个工作日）\n"
        "5. 作出奖励决定\n"
        "6. 颁发奖金、证书",
        "process_en": "1. Nomination\n2. Eligibility check\n3. Assessment\n4. Public notice "
        "(at least five working days)\n5. Award decision\n6. Prize and certificate",
        "cond": "符合奖励办法规定的条件，事迹真实、贡献突出。",
        "cond_en": "The conditions of the award rules are met and the merits are genuine.",
        "result": ("奖励决定及荣誉证书", "Award decision and certificate", "certificate"),
        "special": "评审、公示时间不计入办理时限。",
        "depth": 3,
        "limits": (60, 45),
    },
    "09": {
        "process": "1. 申请\n2. 受理：5个工作日内决定是否受理\n3. 送达副本，被申请人答辩\n"
        "4. 调查、调解\n"
        "5. 作出裁决\n6. 送达裁决书",
        "process_en": "1. Application\n2. Decision on acceptance within five working days\n"
        "3. Copy served; the respondent answers\n4. Investigation and mediation\n5. Ruling\n"
        "6. Service of the ruling",
        "cond": "有明确的被申请人、具体的请求和事实理由，属于受理范围。",
        "cond_en": "There is a definite respondent, a specific claim with facts and reasons, "
        "within the authority's remit.",
        "result": ("裁决书", "Ruling", "approval_document"),
        "special": "鉴定、调解期间不计入办理时限。",
        "depth": 2,
        "limits": (60, 45),
    },
    "10": {
        "process": "1. 申请\n2. 受理\n3. 审核\n4. 办结并告知结果",
        "process_en": "1. Application\n2. Acceptance\n3. Review\n4. Completion and notice",
        "cond": "属于本机关职责范围，申请材料齐全。",
        "cond_en": "The matter is within the authority's remit and the materials are complete.",
        "result": ("办理结果告知书", "Notice of the result", "other"),
        "special": "",
        "depth": 4,
        "limits": (15, 5),
    },
    "20": {
        "process": "1. 申请：“江川通办”App、政务服务网或窗口提交\n2. 受理\n3. 办理\n"
        "4. 办结，结果推送",
        "process_en": "1. Apply in the Jiangchuan app, on the portal or at a window\n"
        "2. Acceptance\n3. Handling\n4. Completion; the result is sent to you",
        "cond": "符合服务对象条件，提交材料真实有效。",
        "cond_en": "You are eligible for the service and the materials are genuine.",
        "result": ("办理结果", "Service result", "other"),
        "special": "",
        "depth": 4,
        "limits": (10, 3),
    },
}
_LEVEL_FOR = {"city": "city", "district": "district"}


# ---------------------------------------------------------------------------------------------
# Catalog: compact item tables


def Q(
    key: str,
    question: str,
    question_en: str,
    *options: tuple[str, str, str, str, str, str],
    multiple: bool = False,
    depends: str | None = None,
) -> dict[str, Any]:
    """A handling situation; ``depends`` is "key:option" of an earlier question."""
    return {
        "key": key,
        "question": question,
        "question_en": question_en,
        "options": list(options),
        "multiple": multiple,
        "depends": depends,
    }


def O(  # noqa: E743 - reads like a table row
    code: str, label: str, label_en: str, materials: str = "", cond: str = "", cond_en: str = ""
) -> tuple[str, str, str, str, str, str]:
    """An option: ``materials`` are space-separated material keys it adds."""
    return (code, label, label_en, materials, cond, cond_en)


AGENT = Q(
    "agent",
    "是否委托他人代为办理？",
    "Is someone applying on your behalf?",
    O("self", "本人办理", "I apply myself"),
    O("agent", "委托代理人办理", "An authorised agent applies", "proxy agent_id"),
)
COMPANY_AGENT = Q(
    "agent",
    "是否委托代理人（经办人）办理？",
    "Does an authorised agent (handler) apply for the company?",
    O("legal_rep", "法定代表人本人办理", "The legal representative applies in person"),
    O("agent", "委托代理人办理", "An authorised agent applies", "proxy agent_id"),
)
KIN_AGENT = Q(
    "kin",
    "代理人是否为申请人的近亲属？",
    "Is the agent a close relative of the applicant?",
    O(
        "kin",
        "是，近亲属代办",
        "Yes, a close relative",
        "kinship",
        "近亲属代办的，可凭亲属关系证明免于公证授权委托书。",
        "A close relative may act without a notarised power of attorney.",
    ),
    O("other", "否，其他代理人", "No, someone else"),
    depends="agent:agent",
)


def I(  # noqa: E743 - reads like a table row
    item_type: str,
    name: str,
    name_en: str,
    dept: str,
    audience: str,
    themes: str,
    keywords: str,
    basis: str,
    materials: str,
    *situations: dict[str, Any],
    limits: tuple[int, int] | None = None,
    unit: str = "working_day",
    spot: bool = False,
    depth: int | None = None,
    visits: int | None = None,
    scope: str = "city_wide",
    result: tuple[str, str, str] | None = None,
    fee: tuple[str, str] | None = None,
    cond: str = "",
    cond_en: str = "",
    sub: int = 0,
    post: bool | None = None,
) -> dict[str, Any]:
    """One base item and where it is implemented.

    ``dept`` is a city department key ("amr") or "districts:psb" (each district's branch).
    ``materials`` are space-separated material keys; a trailing "~" marks a 容缺 (deferrable)
    material and "app" the item's own application form. ``sub`` > 0 makes the item a sub-item
    of the previous base item of the same type (same main code).
    """
    return {
        "item_type": item_type,
        "name": name,
        "name_en": name_en,
        "dept": dept,
        "audience": audience,
        "themes": themes.split(),
        "keywords": keywords,
        "basis": basis,
        "materials": materials.split(),
        "situations": list(situations),
        "limits": limits,
        "unit": unit,
        "spot": spot,
        "depth": depth,
        "visits": visits,
        "scope": scope,
        "result": result,
        "fee": fee,
        "cond": cond,
        "cond_en": cond_en,
        "sub": sub,
        "post": post,
    }


_HUKOU_LAW = "《中华人民共和国户口登记条例》"
_COMPANY_LAW = "《中华人民共和国公司法》《中华人民共和国市场主体登记管理条例》"
_SOCIAL_LAW = "《中华人民共和国社会保险法》"
_HPF_LAW = "《住房公积金管理条例》"

HOUSEHOLD_ITEMS = [
    I(
        "07",
        "居住证申领",
        "Residence permit application",
        "districts:psb",
        "person",
        "household settle work",
        "居住证 暂住证 积分入学 流动人口",
        "《居住证暂行条例》第二条、第九条",
        "app id photo",
        Q(
            "basis",
            "您申领居住证的条件是？",
            "On what grounds are you applying?",
            O(
                "job",
                "合法稳定就业",
                "Lawful and stable employment",
                "labor_contract social_record",
                "在本市连续就业满半年，提供劳动合同，社保缴费记录通过共享核验。",
                "Employed in the city for six months; the contribution record is shared.",
            ),
            O(
                "home",
                "合法稳定住所",
                "Lawful and stable residence",
                "lease lease_reg",
                "在本市居住满半年，提供租赁合同或自有住房证明。",
                "Living in the city for six months with a lease or own home.",
            ),
            O(
                "study",
                "连续就读",
                "Continuous study",
                "enrolment",
                "在本市全日制学校连续就读满半年。",
                "Studying full-time in the city for six months.",
            ),
        ),
        Q(
            "home",
            "住所类型",
            "What kind of residence?",
            O("rent", "租赁住房", "Rented home", "residence_proof"),
            O("own", "自有住房", "Own home", "house_cert"),
            depends="basis:home",
        ),
        AGENT,
        limits=(15, 7),
        depth=3,
        visits=1,
        scope="district",
        result=("居住证", "Residence permit", "certificate"),
        cond="离开常住户口所在地，到本市居住半年以上，并符合合法稳定就业、合法稳定住所、连续就读条件之一。",
        cond_en="You left your place of household registration, have lived in the city for at "
        "least six months and have stable employment, a stable residence or continuous study.",
    ),
    I(
        "07",
        "居住证签注",
        "Residence permit annual endorsement",
        "districts:psb",
        "person",
        "household",
        "居住证 签注 续期",
        "《居住证暂行条例》第十四条",
        "residence_permit",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="city_wide",
        result=("居住证签注", "Endorsed residence permit", "certificate"),
        sub=1,
    ),
    I(
        "07",
        "出生登记",
        "Birth registration",
        "districts:psb",
        "person",
        "birth household",
        "上户口 新生儿 报户口 新生儿落户",
        f"{_HUKOU_LAW}第七条",
        "birth_med parents_ids hukou",
        Q(
            "married",
            "父母是否已婚？",
            "Are the parents married?",
            O("yes", "已婚", "Married", "marriage"),
            O(
                "no",
                "非婚生育",
                "Not married",
                "kinship",
                "非婚生育的，需提供亲子关系证明材料。",
                "Proof of parentage is needed.",
            ),
        ),
        Q(
            "side",
            "随父亲还是母亲落户？",
            "Register with the father or the mother?",
            O("father", "随父落户", "With the father"),
            O("mother", "随母落户", "With the mother"),
        ),
        limits=(5, 1),
        depth=4,
        visits=0,
        scope="city_wide",
        result=("居民户口簿（新生儿页）", "Household register (newborn's page)", "certificate"),
        cond="新生儿出生后一个月内，由户主、亲属、抚养人向常住户口所在地户口登记机关申报。",
        cond_en="Within a month of the birth, the head of household or a relative registers the "
        "baby where the family is registered.",
    ),
    I(
        "07",
        "户口迁入",
        "Household registration transfer in",
        "districts:psb",
        "person",
        "household settle",
        "落户 户口迁入 投靠 人才落户",
        f"{_HUKOU_LAW}第十条",
        "app id hukou photo",
        Q(
            "reason",
            "迁入类型",
            "Why are you moving your registration?",
            O("family", "投靠亲属", "Joining family", "kinship marriage"),
            O("house", "购房落户", "Own home in the city", "house_cert"),
            O("talent", "人才引进", "Talent introduction", "talent_proof degree labor_contract"),
            O("student", "大中专院校录取", "University admission", "enrolment"),
        ),
        Q(
            "family",
            "投靠对象",
            "Whom are you joining?",
            O("spouse", "夫妻投靠", "Spouse"),
            O("parents", "老人投靠子女", "Parents joining children", "age_proof"),
            O("children", "子女投靠父母", "Children joining parents"),
            depends="reason:family",
        ),
        limits=(20, 5),
        depth=3,
        visits=1,
        result=("准予迁入证明", "Permit to move in", "approval_document"),
    ),
    I(
        "07",
        "户口迁出",
        "Household registration transfer out",
        "districts:psb",
        "person",
        "household",
        "迁户口 迁出 跨省迁移",
        f"{_HUKOU_LAW}第十条",
        "id hukou move_permit",
        AGENT,
        KIN_AGENT,
        limits=(5, 1),
        depth=3,
        visits=1,
        scope="cross_province",
        result=("户口迁移证", "Household transfer certificate", "certificate"),
        sub=1,
    ),
    I(
        "07",
        "居民身份证申领、换领、补领",
        "Resident identity card application, renewal and replacement",
        "districts:psb",
        "person",
        "household",
        "身份证 换证 补办 丢失",
        "《中华人民共和国居民身份证法》第八条、第十一条",
        "hukou photo_receipt",
        Q(
            "kind",
            "办理类型",
            "What do you need?",
            O("first", "首次申领", "First card"),
            O("renew", "到期换领", "Renewal on expiry", "id"),
            O("lost", "遗失补领", "Replacement of a lost card"),
        ),
        limits=(60, 15),
        unit="natural_day",
        depth=2,
        visits=2,
        scope="cross_province",
        fee=(
            "首次申领、换领20元，补领40元",
            "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
        ),
        result=("居民身份证", "Resident identity card", "certificate"),
    ),
    I(
        "20",
        "无犯罪记录证明开具",
        "Certificate of no criminal record",
        "psb",
        "both",
        "household work",
        "无犯罪证明 良民证 政审",
        "《公安机关办理犯罪记录查询工作规定》第四条",
        "id criminal_purpose",
        AGENT,
        limits=(3, 1),
        depth=4,
        visits=0,
        scope="cross_province",
        result=("无犯罪记录证明", "Certificate of no criminal record", "certificate"),
    ),
    I(
        "01",
        "普通护照签发",
        "Ordinary passport issue",
        "psb",
        "person",
        "household",
        "护照 出国 出入境",
        "《中华人民共和国护照法》第五条",
        "app id photo_receipt",
        limits=(7, 7),
        depth=2,
        visits=1,
        fee=("120元/本", "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》"),
        result=("中华人民共和国普通护照", "Ordinary passport", "certificate"),
    ),
    I(
        "20",
        "电动自行车登记上牌",
        "Electric bicycle registration",
        "psb",
        "person",
        "transport",
        "电动车上牌 电瓶车 车牌",
        "《示范省电动自行车管理条例》第十二条",
        "id e_bike",
        limits=(1, 0),
        spot=True,
        depth=3,
        visits=1,
        result=("电动自行车号牌和行驶证", "E-bike plate and licence", "certificate"),
    ),
]

MARRIAGE_BIRTH_ITEMS = [
    I(
        "07",
        "结婚登记",
        "Marriage registration",
        "civil",
        "person",
        "marriage",
        "领证 结婚 婚姻登记",
        "《中华人民共和国民法典》第一千零四十九条《婚姻登记条例》第四条",
        "id hukou photo marriage_decl no_marriage",
        Q(
            "region",
            "双方户籍情况",
            "Where are you registered?",
            O("local", "至少一方为本市户籍", "At least one in the city"),
            O(
                "resident",
                "双方均非本市户籍但一方持本市居住证",
                "Neither, but one has a residence permit here",
                "residence_permit",
                "“跨省通办”试点：持居住证可在居住地登记。",
                "Pilot: a residence permit allows registration where you live.",
            ),
        ),
        Q(
            "before",
            "是否曾经结婚？",
            "Have you been married before?",
            O("no", "未婚", "Never married"),
            O("divorced", "离异", "Divorced", "divorce_agreement"),
            O("widowed", "丧偶", "Widowed"),
        ),
        limits=(1, 0),
        spot=True,
        depth=2,
        visits=1,
        scope="cross_province",
        result=("结婚证", "Marriage certificate", "certificate"),
        cond="男女双方完全自愿，男年满22周岁、女年满20周岁，双方均无配偶，不属于法律禁止结婚的情形。",
        cond_en="Both consent freely, the man is at least 22 and the woman at least 20, neither "
        "is married, and no legal impediment applies.",
    ),
    I(
        "07",
        "离婚登记",
        "Divorce registration",
        "civil",
        "person",
        "marriage",
        "协议离婚 离婚冷静期",
        "《中华人民共和国民法典》第一千零七十六条",
        "id hukou marriage divorce_agreement photo",
        limits=(30, 30),
        unit="natural_day",
        depth=2,
        visits=2,
        result=("离婚证", "Divorce certificate", "certificate"),
        sub=1,
    ),
    I(
        "20",
        "婚姻登记档案查询",
        "Marriage record search",
        "civil",
        "person",
        "marriage",
        "婚姻状况证明 婚姻档案",
        "《婚姻登记档案管理办法》第十八条",
        "id",
        AGENT,
        limits=(3, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("婚姻登记档案查询结果", "Marriage record extract", "other"),
    ),
    I(
        "07",
        "出生医学证明签发",
        "Medical certificate of birth issue",
        "health",
        "person",
        "birth medical",
        "出生证 出生医学证明 新生儿",
        "《中华人民共和国母婴保健法》第二十三条",
        "parents_ids",
        Q(
            "where",
            "出生地点",
            "Where was the baby born?",
            O("hospital", "医疗机构内出生", "In a hospital"),
            O(
                "home",
                "医疗机构外出生",
                "Outside a hospital",
                "diagnosis evidence",
                "需提供亲子鉴定等证明材料。",
                "Proof of parentage such as a DNA test is needed.",
            ),
        ),
        Q(
            "lost",
            "是否为补发？",
            "Is this a replacement?",
            O("no", "首次签发", "First issue"),
            O("yes", "遗失补发", "Replacement", "statement"),
        ),
        limits=(10, 1),
        depth=3,
        visits=1,
        result=("出生医学证明", "Medical certificate of birth", "certificate"),
    ),
    I(
        "20",
        "生育登记服务",
        "Birth registration service (family planning)",
        "health",
        "person",
        "birth marriage",
        "生育登记 准生证 生育服务证",
        "《中华人民共和国人口与计划生育法》",
        "id marriage",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("生育登记服务单", "Birth service registration", "other"),
    ),
    I(
        "20",
        "预防接种证办理",
        "Vaccination record issue",
        "health",
        "person",
        "birth medical school",
        "疫苗 接种本 入学查验",
        "《中华人民共和国疫苗管理法》第四十七条",
        "birth_med",
        limits=(1, 0),
        spot=True,
        depth=2,
        visits=1,
        scope="province_wide",
        result=("预防接种证", "Vaccination record", "certificate"),
    ),
    I(
        "20",
        "新生儿参加城乡居民医疗保险",
        "Medical insurance enrolment of a newborn",
        "medical",
        "person",
        "birth medical social-security",
        "新生儿医保 参保 少儿医保",
        _SOCIAL_LAW + "第二十五条",
        "birth_med hukou",
        limits=(3, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("参保登记信息", "Enrolment record", "other"),
    ),
]

SOCIAL_ITEMS = [
    I(
        "20",
        "社会保障卡申领",
        "Social security card application",
        "hrss",
        "person",
        "social-security work",
        "社保卡 社会保障卡 办卡 电子社保卡",
        _SOCIAL_LAW + "第五十八条",
        "id photo_receipt bank_account",
        AGENT,
        limits=(10, 1),
        depth=4,
        visits=0,
        scope="cross_province",
        post=True,
        result=("社会保障卡", "Social security card", "certificate"),
    ),
    I(
        "20",
        "社会保障卡补领、换领",
        "Social security card replacement",
        "hrss",
        "person",
        "social-security",
        "社保卡补办 社保卡挂失 换卡",
        _SOCIAL_LAW + "第五十八条",
        "id",
        Q(
            "reason",
            "补换原因",
            "Why do you need a new card?",
            O("lost", "遗失", "Lost"),
            O("broken", "损坏或到期", "Damaged or expired", "ssc_old"),
        ),
        AGENT,
        KIN_AGENT,
        limits=(10, 1),
        depth=4,
        visits=0,
        scope="cross_province",
        sub=1,
        fee=("遗失补领工本费20元，损坏、到期换领免费", "《示范省社会保障卡工本费收费标准》"),
        result=("社会保障卡", "Social security card", "certificate"),
    ),
    I(
        "20",
        "社会保险关系转移接续",
        "Transfer of social insurance records",
        "hrss",
        "person",
        "social-security work",
        "社保转移 养老保险转移 社保接续",
        "《城镇企业职工基本养老保险关系转移接续暂行办法》",
        "id",
        Q(
            "from",
            "转出地",
            "Where do the records come from?",
            O("province", "省内转移", "Within the province"),
            O("other", "跨省转移", "From another province", "social_record"),
        ),
        limits=(45, 15),
        depth=4,
        visits=0,
        scope="cross_province",
        result=("社会保险关系转移接续联系函", "Transfer confirmation letter", "other"),
    ),
    I(
        "20",
        "个人社会保险参保证明查询打印",
        "Personal social insurance record print",
        "hrss",
        "person",
        "social-security",
        "社保证明 参保证明 缴费明细 社保",
        _SOCIAL_LAW + "第七十四条",
        "id",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("社会保险个人参保证明", "Social insurance record", "other"),
    ),
    I(
        "07",
        "灵活就业人员社会保险参保登记",
        "Social insurance registration of the self-employed",
        "hrss",
        "person",
        "social-security employment",
        "灵活就业 个人参保 社保",
        _SOCIAL_LAW + "第十条",
        "id",
        AGENT,
        limits=(5, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("参保登记信息", "Registration record", "other"),
    ),
    I(
        "07",
        "单位社会保险登记",
        "Employer social insurance registration",
        "hrss",
        "company",
        "social-security start-business",
        "单位参保 社保开户 企业社保",
        _SOCIAL_LAW + "第五十七条",
        "business_lic app",
        COMPANY_AGENT,
        limits=(15, 1),
        depth=4,
        visits=0,
        result=("社会保险登记信息", "Registration record", "other"),
    ),
    I(
        "20",
        "企业用工备案",
        "Employment filing of an employer",
        "hrss",
        "company",
        "employment social-security",
        "用工备案 招工登记 劳动合同备案",
        "《就业服务与就业管理规定》第六十二条",
        "business_lic employment_reg",
        limits=(5, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("备案回执", "Filing receipt", "other"),
    ),
    I(
        "05",
        "失业保险金申领",
        "Unemployment benefit",
        "hrss",
        "person",
        "social-security employment work",
        "失业金 失业保险 失业补助",
        _SOCIAL_LAW + "第四十五条",
        "id termination bank_account",
        Q(
            "registered",
            "是否已办理失业登记？",
            "Have you registered as unemployed?",
            O("yes", "已登记", "Yes"),
            O(
                "no",
                "未登记",
                "Not yet",
                "unemployed",
                "申领同时办理失业登记。",
                "Unemployment registration is done at the same time.",
            ),
        ),
        limits=(15, 3),
        depth=4,
        visits=0,
        result=("失业保险待遇核定通知", "Unemployment benefit decision", "other"),
        cond="失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已办理失业登记并有求职要求。",
        cond_en="Contributions for at least a year, involuntary loss of the job, registered as "
        "unemployed and seeking work.",
    ),
    I(
        "05",
        "基本养老保险待遇申领（退休）",
        "Basic pension claim on retirement",
        "hrss",
        "person",
        "retirement social-security",
        "退休 养老金 领取养老金 社保",
        _SOCIAL_LAW + "第十六条",
        "id bank_account retire_approval",
        Q(
            "kind",
            "参保类型",
            "Which scheme?",
            O("employee", "企业职工基本养老保险", "Employees' pension", "social_record"),
            O("resident", "城乡居民基本养老保险", "Residents' pension", "hukou"),
        ),
        Q(
            "early",
            "是否特殊工种提前退休？",
            "Early retirement for hazardous work?",
            O("no", "否", "No"),
            O("yes", "是", "Yes", "work_years"),
            depends="kind:employee",
        ),
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("养老保险待遇核定表", "Pension decision", "other"),
    ),
    I(
        "05",
        "工伤保险待遇核定支付",
        "Work injury benefits",
        "hrss",
        "both",
        "social-security",
        "工伤 工伤待遇 工伤报销",
        "《工伤保险条例》第三十条",
        "injury_decision capacity_report invoices bank_account",
        limits=(30, 15),
        depth=3,
        visits=1,
        result=("工伤保险待遇核定表", "Work injury benefit decision", "other"),
    ),
    I(
        "07",
        "工伤认定",
        "Work injury determination",
        "hrss",
        "both",
        "social-security",
        "工伤认定 工伤申请 职业病",
        "《工伤保险条例》第十七条",
        "injury_report id labor_contract diagnosis",
        Q(
            "who",
            "申请人",
            "Who applies?",
            O("employer", "用人单位申请", "The employer", "business_lic"),
            O("worker", "职工或近亲属申请", "The worker or a close relative", "kinship"),
        ),
        limits=(60, 30),
        unit="natural_day",
        depth=3,
        visits=1,
        result=("工伤认定决定书", "Work injury decision", "approval_document"),
    ),
    I(
        "07",
        "专业技术人员职业资格证书核发",
        "Professional qualification certificate issue",
        "hrss",
        "person",
        "employment work",
        "职业资格 资格证书 职称 证书领取",
        "《国家职业资格目录》《专业技术人员资格考试暂行规定》",
        "id exam_pass",
        Q(
            "years",
            "是否需要审核工作年限？",
            "Does your qualification require work experience?",
            O("yes", "需要", "Yes", "work_years degree"),
            O("no", "不需要", "No"),
        ),
        limits=(20, 5),
        depth=4,
        visits=0,
        post=True,
        result=(
            "专业技术人员职业资格证书",
            "Professional qualification certificate",
            "certificate",
        ),
    ),
    I(
        "07",
        "职业技能等级认定",
        "Vocational skill level certification",
        "hrss",
        "person",
        "employment work",
        "技能等级 职业技能 技能证书",
        "《中华人民共和国职业教育法》",
        "id training_cert",
        limits=(30, 20),
        depth=3,
        visits=1,
        result=("职业技能等级证书", "Vocational skill certificate", "certificate"),
    ),
    I(
        "20",
        "就业创业证申领",
        "Employment and entrepreneurship card",
        "hrss",
        "person",
        "employment work",
        "就业证 失业证 创业证",
        "《就业服务与就业管理规定》第六十三条",
        "id",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("就业创业证", "Employment card", "certificate"),
    ),
    I(
        "20",
        "创业担保贷款申请",
        "Start-up guaranteed loan",
        "hrss",
        "both",
        "employment start-business",
        "创业贷款 贴息 担保贷款",
        "《创业担保贷款实施办法》",
        "id business_lic app",
        Q(
            "who",
            "申请主体",
            "Who applies?",
            O("person", "个人创业者", "An individual entrepreneur", "unemployed"),
            O("small", "小微企业", "A small business", "labor_contract social_record"),
        ),
        limits=(20, 10),
        depth=3,
        visits=1,
        result=("贷款审核意见", "Loan review opinion", "other"),
    ),
    I(
        "20",
        "高校毕业生档案接收",
        "Receiving graduates' personnel files",
        "hrss",
        "person",
        "employment school",
        "档案 毕业生 报到证",
        "《流动人员人事档案管理服务规定》",
        "id archives",
        limits=(5, 1),
        depth=3,
        visits=0,
        result=("档案接收回执", "File receipt", "other"),
    ),
    I(
        "09",
        "劳动人事争议仲裁",
        "Labour dispute arbitration",
        "hrss",
        "both",
        "employment law-enforcement",
        "劳动仲裁 讨薪 劳动争议",
        "《中华人民共和国劳动争议调解仲裁法》",
        "arbitration_app id dispute_proof",
        AGENT,
        limits=(45, 45),
        unit="natural_day",
        depth=3,
        visits=2,
        scope="district",
        result=("仲裁裁决书", "Arbitration award", "approval_document"),
    ),
]

HPF_ITEMS = [
    I(
        "20",
        "住房公积金提取",
        "Housing provident fund withdrawal",
        "hpf",
        "person",
        "housing settle retirement",
        "公积金提取 取公积金 租房提取 购房提取 退休提取",
        _HPF_LAW + "第二十四条",
        "id hpf_info bank_account",
        Q(
            "reason",
            "提取原因",
            "Why are you withdrawing?",
            O("buy", "购买自住住房", "Buying a home", "purchase_contract purchase_invoice"),
            O("rent", "租赁住房", "Renting a home", "no_house"),
            O("retire", "离休、退休", "Retirement", "retire_approval"),
            O("leave", "离职（与单位终止劳动关系）", "Leaving the job", "termination"),
        ),
        Q(
            "lease",
            "租赁合同是否已登记备案？",
            "Is your lease registered?",
            O("yes", "已备案", "Registered", "lease_reg"),
            O(
                "no",
                "未备案",
                "Not registered",
                "lease rent_invoice",
                "未备案的按本市月租房提取限额提取。",
                "Unregistered leases are limited to the city monthly cap.",
            ),
            depends="reason:rent",
        ),
        Q(
            "loan",
            "购房是否使用贷款？",
            "Did you borrow to buy?",
            O("cash", "全款", "No loan"),
            O("loan", "贷款", "With a loan", "loan_contract"),
            depends="reason:buy",
        ),
        limits=(5, 1),
        depth=4,
        visits=0,
        result=("住房公积金提取核定结果", "Withdrawal decision", "other"),
        cond="职工符合购房、租房、离退休、离职等提取条件之一。",
        cond_en="The employee buys or rents a home, retires, leaves the job, or meets another "
        "withdrawal condition.",
    ),
    I(
        "20",
        "住房公积金个人住房贷款",
        "Provident fund home loan",
        "hpf",
        "person",
        "housing settle",
        "公积金贷款 房贷",
        _HPF_LAW + "第二十六条",
        "id purchase_contract hpf_info app bank_account~",
        Q(
            "married",
            "婚姻状况",
            "Marital status",
            O("married", "已婚", "Married", "marriage"),
            O("single", "未婚、离异或丧偶", "Single, divorced or widowed", "no_marriage"),
        ),
        limits=(15, 10),
        depth=3,
        visits=1,
        result=("借款合同", "Loan contract", "other"),
    ),
    I(
        "10",
        "住房公积金单位缴存登记",
        "Employer provident fund registration",
        "hpf",
        "company",
        "housing start-business",
        "公积金开户 单位缴存 公积金",
        _HPF_LAW + "第十四条",
        "business_lic company_reg hpf_register",
        COMPANY_AGENT,
        limits=(5, 1),
        depth=4,
        visits=0,
        result=("缴存登记确认", "Registration confirmation", "other"),
    ),
    I(
        "20",
        "住房公积金缴存证明开具",
        "Provident fund contribution certificate",
        "hpf",
        "person",
        "housing",
        "公积金证明 缴存明细",
        _HPF_LAW,
        "id id_verify",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("住房公积金缴存证明", "Contribution certificate", "other"),
    ),
]

MEDICAL_ITEMS = [
    I(
        "20",
        "医保报销（异地就医零星医疗费用报销）",
        "Medical expense reimbursement (treatment elsewhere)",
        "medical",
        "person",
        "medical social-security",
        "医保报销 报销 异地就医 医疗费 医保",
        _SOCIAL_LAW + "第二十八条",
        "id invoices cost_list discharge bank_account",
        Q(
            "filed",
            "就医前是否已办理异地就医备案？",
            "Did you file before treatment elsewhere?",
            O("yes", "已备案", "Yes", "referral"),
            O(
                "no",
                "未备案（急诊抢救）",
                "No (emergency)",
                "diagnosis",
                "急诊抢救的提供急诊诊断证明，按规定比例报销。",
                "Emergencies need the diagnosis; reimbursed at the set rate.",
            ),
        ),
        AGENT,
        limits=(30, 20),
        depth=4,
        visits=0,
        scope="cross_province",
        result=("医疗费用结算单", "Reimbursement statement", "other"),
    ),
    I(
        "20",
        "异地就医备案",
        "Filing for treatment elsewhere",
        "medical",
        "person",
        "medical",
        "异地备案 跨省就医 异地安置",
        "《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》",
        "id",
        Q(
            "kind",
            "备案类型",
            "Why are you treated elsewhere?",
            O("settled", "异地长期居住", "Living elsewhere", "residence_proof"),
            O("referral", "转诊转院", "Referred by a hospital", "diagnosis"),
            O("temp", "临时外出就医", "Temporary trip"),
        ),
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="cross_province",
        result=("异地就医备案信息", "Filing record", "other"),
    ),
    I(
        "20",
        "基本医疗保险关系转移接续",
        "Transfer of medical insurance",
        "medical",
        "person",
        "medical social-security",
        "医保转移 医保接续",
        "《流动就业人员基本医疗保障关系转移接续暂行办法》",
        "id",
        limits=(15, 5),
        depth=4,
        visits=0,
        scope="cross_province",
        result=("医保关系转移接续函", "Transfer letter", "other"),
        sub=1,
    ),
    I(
        "05",
        "医疗救助",
        "Medical assistance",
        "medical",
        "person",
        "medical social-assistance",
        "大病救助 医疗救助 困难群众",
        "《社会救助暂行办法》第二十八条",
        "id invoices cost_list",
        Q(
            "group",
            "救助对象类别",
            "Which group are you in?",
            O("dibao", "最低生活保障对象", "Minimum living allowance recipient"),
            O("tekun", "特困供养人员", "Person in extreme poverty"),
            O("other", "其他困难人员", "Other hardship", "income family_assets"),
        ),
        limits=(20, 10),
        depth=3,
        visits=1,
        result=("医疗救助审批表", "Medical assistance decision", "other"),
    ),
    I(
        "05",
        "生育津贴支付",
        "Maternity allowance",
        "medical",
        "person",
        "birth medical social-security",
        "生育保险 生育津贴 产假",
        _SOCIAL_LAW + "第五十六条",
        "id birth_med bank_account",
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("生育津贴核定结果", "Maternity allowance decision", "other"),
    ),
    I(
        "07",
        "医疗机构执业登记",
        "Medical institution practice registration",
        "health",
        "company",
        "medical start-business",
        "诊所 门诊部 医疗机构 执业许可",
        "《医疗机构管理条例》第十五条",
        "app business_lic site_plan medical_staff equipment",
        Q(
            "kind",
            "机构类别",
            "What kind of institution?",
            O("clinic", "诊所（备案）", "Clinic (filing)", "commitment"),
            O("outpatient", "门诊部", "Outpatient department", "fire_check"),
            O("hospital", "医院", "Hospital", "fire_check hygiene_check"),
        ),
        limits=(45, 20),
        depth=3,
        visits=1,
        result=("医疗机构执业许可证", "Medical institution licence", "certificate"),
    ),
    I(
        "01",
        "公共场所卫生许可",
        "Public place hygiene licence",
        "districts:approval",
        "company",
        "medical start-business",
        "卫生许可证 理发店 宾馆 游泳馆",
        "《公共场所卫生管理条例》第八条",
        "app business_lic site_plan food_staff commitment",
        limits=(20, 5),
        depth=4,
        visits=0,
        scope="district",
        result=("公共场所卫生许可证", "Public place hygiene licence", "certificate"),
    ),
]

ASSISTANCE_ITEMS = [
    I(
        "05",
        "最低生活保障",
        "Minimum living allowance (dibao)",
        "civil",
        "person",
        "social-assistance",
        "低保 最低生活保障 困难家庭 救助",
        "《社会救助暂行办法》第九条",
        "app id hukou income family_assets",
        Q(
            "special",
            "家庭成员是否有以下情况？（可多选）",
            "Does any household member have these circumstances? (choose all that apply)",
            O("disabled", "重度残疾", "Severe disability", "disability_cert"),
            O("ill", "患重大疾病", "Serious illness", "diagnosis"),
            O("student", "在校学生", "Student", "student_cert"),
            O("none", "以上均无", "None of these"),
            multiple=True,
        ),
        AGENT,
        KIN_AGENT,
        limits=(30, 20),
        depth=3,
        visits=1,
        scope="district",
        result=("最低生活保障证", "Minimum living allowance certificate", "certificate"),
        cond="持有本市户籍，共同生活的家庭成员人均收入低于本市城乡最低生活保障标准，且财产状况符合规定。",
        cond_en="Registered in the city, with household income per head below the city's "
        "minimum living standard and assets within the limits.",
    ),
    I(
        "05",
        "特困人员救助供养",
        "Support for persons in extreme poverty",
        "civil",
        "person",
        "social-assistance",
        "特困 五保 供养",
        "《社会救助暂行办法》第十四条",
        "app id hukou income",
        Q(
            "care",
            "供养方式",
            "How do you wish to be supported?",
            O("home", "分散供养（居家）", "At home"),
            O("institution", "集中供养（入住供养服务机构）", "In a care home", "diagnosis"),
        ),
        limits=(30, 20),
        depth=3,
        visits=1,
        result=("特困人员救助供养证", "Extreme poverty support certificate", "certificate"),
    ),
    I(
        "05",
        "临时救助",
        "Temporary assistance",
        "civil",
        "person",
        "social-assistance",
        "临时救助 急难救助 突发困难",
        "《社会救助暂行办法》第四十七条",
        "app id evidence",
        Q(
            "urgent",
            "是否情况紧急？",
            "Is it urgent?",
            O(
                "yes",
                "急难型（先行救助）",
                "Urgent (help first)",
                cond="情况紧急的先行救助，事后补齐材料。",
                cond_en="Help comes first; materials follow.",
            ),
            O("no", "支出型", "Expense-driven", "invoices"),
        ),
        limits=(15, 5),
        depth=3,
        visits=1,
        result=("临时救助审批结果", "Assistance decision", "other"),
    ),
    I(
        "05",
        "高龄津贴发放",
        "Old-age allowance",
        "civil",
        "person",
        "retirement social-assistance",
        "高龄补贴 老人补贴 80岁",
        "《示范省老年人权益保障条例》第三十条",
        "id bank_account",
        AGENT,
        KIN_AGENT,
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("高龄津贴核定结果", "Allowance decision", "other"),
    ),
    I(
        "20",
        "老年人优待证办理",
        "Senior citizen card",
        "civil",
        "person",
        "retirement",
        "老年证 敬老卡 优待证",
        "《中华人民共和国老年人权益保障法》",
        "id photo",
        limits=(5, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("老年人优待证", "Senior citizen card", "certificate"),
    ),
    I(
        "05",
        "困难残疾人生活补贴和重度残疾人护理补贴",
        "Living and care allowances for persons with disabilities",
        "civil",
        "person",
        "disability social-assistance",
        "残疾人两项补贴 护理补贴 生活补贴",
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
        "id disability_cert bank_account",
        Q(
            "kind",
            "申请补贴类型（可多选）",
            "Which allowances? (choose all that apply)",
            O("living", "困难残疾人生活补贴", "Living allowance", "income"),
            O("care", "重度残疾人护理补贴", "Care allowance"),
            multiple=True,
        ),
        AGENT,
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("补贴核定结果", "Allowance decision", "other"),
    ),
    I(
        "07",
        "残疾人证核发",
        "Disability certificate issue",
        "disabled",
        "person",
        "disability",
        "残疾证 残疾评定 残疾人证",
        "《中华人民共和国残疾人保障法》《中国残疾人实名制管理办法》",
        "app id hukou photo",
        Q(
            "kind",
            "办理类型",
            "What do you need?",
            O("new", "新办", "New certificate", "diagnosis"),
            O("renew", "换领", "Renewal", "disability_cert"),
            O("change", "等级变更", "Change of grade", "disability_cert diagnosis"),
        ),
        limits=(20, 10),
        depth=3,
        visits=1,
        post=True,
        result=("中华人民共和国残疾人证", "Disability certificate", "certificate"),
    ),
    I(
        "20",
        "残疾人辅助器具适配",
        "Assistive devices for persons with disabilities",
        "disabled",
        "person",
        "disability",
        "轮椅 助听器 假肢 辅具",
        "《残疾人辅助器具服务管理办法》",
        "id disability_cert assistive_need",
        limits=(15, 10),
        depth=3,
        visits=1,
        result=("辅助器具适配服务", "Assistive device fitting", "none"),
    ),
    I(
        "05",
        "优抚对象抚恤补助",
        "Allowances for entitled groups",
        "veterans",
        "person",
        "veterans",
        "优抚 抚恤 伤残军人 补助",
        "《军人抚恤优待条例》第三十四条",
        "id pension_cert bank_account",
        limits=(30, 15),
        depth=3,
        visits=1,
        result=("抚恤补助核定表", "Allowance decision", "other"),
    ),
    I(
        "05",
        "退役士兵自主就业一次性经济补助",
        "One-off allowance for veterans finding their own jobs",
        "veterans",
        "person",
        "veterans employment",
        "退役 自主就业 退役补助",
        "《退役士兵安置条例》第十九条",
        "id veteran_cert bank_account",
        limits=(30, 10),
        depth=3,
        visits=1,
        result=("经济补助发放", "Allowance payment", "other"),
    ),
    I(
        "07",
        "退役军人优待证申领",
        "Veteran preferential treatment card",
        "veterans",
        "person",
        "veterans",
        "优待证 退役军人证",
        "《退役军人保障法》第六十二条",
        "id veteran_cert photo",
        limits=(30, 15),
        depth=4,
        visits=0,
        post=True,
        result=("退役军人优待证", "Veteran card", "certificate"),
    ),
    I(
        "20",
        "法律援助申请",
        "Legal aid application",
        "justice",
        "person",
        "social-assistance law-enforcement",
        "法律援助 免费律师 打官司",
        "《中华人民共和国法律援助法》第三十八条",
        "legal_aid_form id hardship_commit evidence",
        Q(
            "group",
            "是否属于免予核查经济困难状况的人员？",
            "Are you exempt from the means test?",
            O("yes", "是（如低保、特困人员）", "Yes (e.g. dibao or extreme poverty)"),
            O("no", "否", "No", "income"),
        ),
        limits=(7, 3),
        depth=4,
        visits=0,
        result=("给予法律援助决定书", "Legal aid decision", "approval_document"),
    ),
    I(
        "20",
        "人民调解",
        "People's mediation",
        "justice",
        "both",
        "law-enforcement",
        "调解 纠纷 邻里纠纷",
        "《中华人民共和国人民调解法》",
        "mediation_app id",
        limits=(30, 30),
        unit="natural_day",
        depth=2,
        visits=2,
        scope="district",
        result=("人民调解协议书", "Mediation agreement", "other"),
    ),
]

EDUCATION_CULTURE_ITEMS = [
    I(
        "20",
        "义务教育阶段入学登记",
        "Compulsory education enrolment",
        "edu",
        "person",
        "school education",
        "入学 小学报名 初中报名 积分入学",
        "《中华人民共和国义务教育法》第十二条",
        "hukou vaccination",
        Q(
            "hukou",
            "儿童户籍情况",
            "Where is the child registered?",
            O("local", "本市户籍", "In the city", "house_cert"),
            O(
                "migrant",
                "随迁子女（非本市户籍）",
                "Migrant family",
                "residence_permit social_record",
            ),
        ),
        Q(
            "home",
            "居住房屋类型",
            "Where do you live?",
            O("own", "自有住房", "Own home"),
            O("rent", "租赁住房", "Rented home", "lease lease_reg"),
            depends="hukou:migrant",
        ),
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("入学通知书", "Admission notice", "other"),
    ),
    I(
        "20",
        "中小学转学",
        "School transfer",
        "edu",
        "person",
        "school education",
        "转学 插班",
        "《中小学生学籍管理办法》第十三条",
        "school_transfer hukou",
        AGENT,
        limits=(15, 5),
        depth=3,
        visits=1,
        result=("转学联系单", "Transfer slip", "other"),
    ),
    I(
        "01",
        "民办学校设立",
        "Establishing a private school",
        "edu",
        "company",
        "education",
        "民办学校 培训机构 办学许可",
        "《中华人民共和国民办教育促进法》第十二条",
        "app articles school_funds teachers site_plan fire_check~",
        limits=(90, 60),
        unit="natural_day",
        depth=3,
        visits=2,
        result=("民办学校办学许可证", "Private school licence", "certificate"),
    ),
    I(
        "01",
        "娱乐场所经营许可",
        "Entertainment venue licence",
        "culture",
        "company",
        "culture-tourism start-business",
        "KTV 歌舞厅 游艺 娱乐经营",
        "《娱乐场所管理条例》第九条",
        "app business_lic id site_plan performers fire_check",
        COMPANY_AGENT,
        limits=(20, 10),
        depth=3,
        visits=1,
        result=("娱乐经营许可证", "Entertainment licence", "certificate"),
    ),
    I(
        "01",
        "旅行社业务经营许可",
        "Travel agency licence",
        "culture",
        "company",
        "culture-tourism start-business",
        "旅行社 导游 旅游经营",
        "《旅行社条例》第六条",
        "app business_lic guides deposit premises",
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("旅行社业务经营许可证", "Travel agency licence", "certificate"),
    ),
    I(
        "20",
        "公共图书馆借阅证办理",
        "Public library card",
        "culture",
        "person",
        "culture-tourism education",
        "借书证 读者证 图书馆",
        "《中华人民共和国公共图书馆法》第三十三条",
        "id library_deposit",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("读者证", "Library card", "certificate"),
    ),
    I(
        "08",
        "见义勇为人员表彰奖励",
        "Award for heroic deeds",
        "psb",
        "person",
        "law-enforcement",
        "见义勇为 表彰 奖励",
        "《示范省见义勇为人员奖励和保护条例》",
        "app deeds evidence",
        limits=(60, 45),
        depth=3,
        visits=1,
        result=("见义勇为荣誉证书及奖金", "Certificate and prize", "certificate"),
    ),
    I(
        "01",
        "社会团体成立登记",
        "Registration of a social organisation",
        "civil",
        "company",
        "start-business",
        "社会团体 协会 商会 社团",
        "《社会团体登记管理条例》第九条",
        "app ngo_articles ngo_members school_funds premises",
        limits=(60, 30),
        depth=3,
        visits=1,
        result=("社会团体法人登记证书", "Social organisation certificate", "certificate"),
    ),
    I(
        "10",
        "社会组织年度检查",
        "Annual inspection of social organisations",
        "civil",
        "company",
        "law-enforcement",
        "年检 社会组织 民办非企业",
        "《社会团体登记管理条例》第二十八条",
        "annual_report audit_report",
        limits=(30, 20),
        depth=4,
        visits=0,
        result=("年检结论", "Annual inspection result", "other"),
    ),
]

_PREMISES = Q(
    "premises",
    "住所（经营场所）的使用情况",
    "How do you use the registered address?",
    O("own", "自有房产", "Own property", "own_title"),
    O("rent", "租赁", "Rented", "lease"),
    O("free", "无偿使用", "Used free of charge", "free_use own_title"),
)
_LANDLORD = Q(
    "landlord",
    "出租方是否为园区管理机构？",
    "Is the landlord an industrial park administration?",
    O(
        "park",
        "是，入驻产业园区",
        "Yes, a park",
        "park_proof",
        "园区出具入驻证明的，免于提交产权证明。",
        "A park admission certificate replaces the title.",
    ),
    O("other", "否", "No", "landlord_title"),
    depends="premises:rent",
)

BUSINESS_ITEMS = [
    I(
        "01",
        "有限责任公司设立登记（营业执照）",
        "Limited liability company registration (business licence)",
        "amr",
        "company",
        "market-entity start-business",
        "营业执照 开公司 公司注册 企业开办 工商注册 设立登记",
        _COMPANY_LAW + "第二十一条",
        "app articles shareholders officers id resolution~",
        _PREMISES,
        _LANDLORD,
        COMPANY_AGENT,
        Q(
            "permit",
            "经营范围是否涉及前置许可？",
            "Does the business scope need a prior permit?",
            O("no", "不涉及", "No"),
            O(
                "yes",
                "涉及",
                "Yes",
                "commitment",
                "涉及前置许可的，提交许可文件或告知承诺书。",
                "Give the permit or a notify-and-commit declaration.",
            ),
        ),
        limits=(3, 1),
        depth=4,
        visits=0,
        post=True,
        result=("营业执照", "Business licence", "certificate"),
        cond="有符合公司章程规定的全体股东认缴的出资额，有公司名称、住所和符合要求的组织机构。",
        cond_en="Capital subscribed by all shareholders under the articles, a company name, an "
        "address and the required governance bodies.",
    ),
    I(
        "01",
        "有限责任公司变更登记",
        "Limited liability company change registration",
        "amr",
        "company",
        "market-entity change-business",
        "公司变更 法人变更 地址变更 增资 营业执照",
        _COMPANY_LAW + "第三十四条",
        "app resolution change_form business_lic",
        Q(
            "what",
            "变更事项（可多选）",
            "What changes? (choose all that apply)",
            O("name", "名称", "Name"),
            O("address", "住所", "Address", "lease"),
            O("rep", "法定代表人", "Legal representative", "officers"),
            O("capital", "注册资本", "Registered capital", "articles"),
            multiple=True,
        ),
        COMPANY_AGENT,
        limits=(3, 1),
        depth=4,
        visits=0,
        sub=1,
        result=("营业执照（变更）", "Amended business licence", "certificate"),
    ),
    I(
        "01",
        "有限责任公司注销登记",
        "Limited liability company deregistration",
        "amr",
        "company",
        "market-entity close-business",
        "公司注销 简易注销 关闭公司",
        _COMPANY_LAW + "第二百三十九条",
        "app resolution business_lic tax_clear",
        Q(
            "simple",
            "是否适用简易注销？",
            "Does simplified deregistration apply?",
            O("simple", "简易注销（未开业或无债权债务）", "Simplified (no debts)", "commitment"),
            O("normal", "一般注销", "Ordinary", "clearance announcement"),
        ),
        limits=(3, 1),
        depth=4,
        visits=0,
        sub=2,
        result=("准予注销登记通知书", "Deregistration notice", "approval_document"),
    ),
    I(
        "01",
        "个体工商户营业执照（设立登记）",
        "Individual business licence (registration)",
        "districts:approval",
        "person",
        "market-entity start-business",
        "个体户 营业执照 小店 开店",
        "《促进个体工商户发展条例》《中华人民共和国市场主体登记管理条例》",
        "app operator_id premises",
        AGENT,
        limits=(3, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="district",
        result=("营业执照", "Business licence", "certificate"),
    ),
    I(
        "01",
        "个体工商户变更登记",
        "Individual business change registration",
        "districts:approval",
        "person",
        "market-entity change-business",
        "个体户变更 经营者变更",
        "《促进个体工商户发展条例》第十条",
        "app business_lic change_form",
        limits=(3, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="district",
        sub=1,
        result=("营业执照（变更）", "Amended business licence", "certificate"),
    ),
    I(
        "01",
        "个体工商户注销登记",
        "Individual business deregistration",
        "districts:approval",
        "person",
        "market-entity close-business",
        "个体户注销",
        "《中华人民共和国市场主体登记管理条例》第三十一条",
        "app business_lic commitment",
        limits=(3, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="district",
        sub=2,
        result=("准予注销登记通知书", "Deregistration notice", "approval_document"),
    ),
    I(
        "10",
        "企业年度报告公示",
        "Company annual report",
        "amr",
        "company",
        "market-entity",
        "年报 企业年报 信用公示",
        "《企业信息公示暂行条例》第八条",
        "annual_report",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("年度报告公示", "Published annual report", "none"),
    ),
    I(
        "01",
        "食品经营许可（新办）",
        "Food business licence (new)",
        "districts:approval",
        "company",
        "market-entity start-business",
        "食品经营许可证 餐饮 饭店 小吃店 超市",
        "《中华人民共和国食品安全法》第三十五条《食品经营许可和备案管理办法》",
        "app business_lic food_layout food_rules food_staff~",
        Q(
            "kind",
            "经营项目（可多选）",
            "Business activities (choose all that apply)",
            O("retail", "食品销售", "Food retail"),
            O("catering", "餐饮服务", "Catering", "equipment"),
            O("special", "特殊食品销售", "Special foods", "quality_mgr"),
            multiple=True,
        ),
        Q(
            "commit",
            "是否选择告知承诺方式？",
            "Do you choose notify-and-commit?",
            O("yes", "是，当场发证后核查", "Yes, licence first, check later", "commitment"),
            O("no", "否，先核查后发证", "No, check first"),
        ),
        limits=(10, 3),
        depth=4,
        visits=0,
        scope="district",
        result=("食品经营许可证", "Food business licence", "certificate"),
    ),
    I(
        "01",
        "食品经营许可（延续）",
        "Food business licence (renewal)",
        "amr",
        "company",
        "market-entity",
        "食品许可延续 换证",
        "《食品经营许可和备案管理办法》第三十一条",
        "app food_licence",
        limits=(10, 3),
        depth=4,
        visits=0,
        sub=1,
        result=("食品经营许可证", "Food business licence", "certificate"),
    ),
    I(
        "01",
        "食品生产许可",
        "Food production licence",
        "amr",
        "company",
        "market-entity start-business",
        "食品生产许可证 SC 食品工厂",
        "《中华人民共和国食品安全法》第三十五条《食品生产许可管理办法》",
        "app business_lic food_layout equipment quality_mgr food_rules",
        limits=(20, 10),
        depth=3,
        visits=1,
        result=("食品生产许可证", "Food production licence", "certificate"),
    ),
    I(
        "01",
        "药品零售企业经营许可",
        "Retail pharmacy licence",
        "amr",
        "company",
        "market-entity medical",
        "药店 药品经营许可证",
        "《中华人民共和国药品管理法》第五十二条",
        "app business_lic quality_mgr premises equipment",
        limits=(30, 15),
        depth=3,
        visits=1,
        result=("药品经营许可证", "Pharmaceutical trading licence", "certificate"),
    ),
    I(
        "10",
        "新办纳税人套餐式服务",
        "Tax start-up package for new businesses",
        "tax",
        "company",
        "tax start-business",
        "新办企业 税务登记 发票 税控",
        "《中华人民共和国税收征收管理法》第十五条",
        "business_lic tax_registration",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("涉税事项办理结果", "Tax registration results", "other"),
    ),
    I(
        "10",
        "增值税发票领用",
        "VAT invoice issue",
        "tax",
        "company",
        "tax",
        "领发票 发票 数电票",
        "《中华人民共和国发票管理办法》第十五条",
        "vat_info",
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("发票领用结果", "Invoices issued", "other"),
    ),
    I(
        "08",
        "市长质量奖评审",
        "Mayor's Quality Award",
        "amr",
        "company",
        "market-entity",
        "质量奖 表彰 质量管理",
        "《江川市市长质量奖管理办法》",
        "app audit_report deeds",
        limits=(90, 60),
        unit="natural_day",
        depth=3,
        visits=1,
        result=("市长质量奖奖牌及证书", "Award plaque and certificate", "certificate"),
    ),
    I(
        "08",
        "食品安全违法行为举报奖励",
        "Reward for reporting food safety violations",
        "amr",
        "person",
        "law-enforcement",
        "举报奖励 食品安全 投诉举报",
        "《市场监管领域重大违法行为举报奖励暂行办法》",
        "id report_letter bank_account",
        limits=(30, 15),
        depth=4,
        visits=0,
        result=("举报奖励决定", "Reward decision", "other"),
    ),
    I(
        "09",
        "专利侵权纠纷行政裁决",
        "Administrative ruling on patent infringement",
        "amr",
        "company",
        "market-entity law-enforcement",
        "专利侵权 知识产权 行政裁决",
        "《中华人民共和国专利法》第六十五条",
        "arbitration_app business_lic evidence",
        limits=(90, 90),
        unit="natural_day",
        depth=2,
        visits=2,
        result=("专利侵权纠纷处理决定书", "Patent dispute decision", "approval_document"),
    ),
    I(
        "01",
        "商业特许经营备案",
        "Commercial franchise filing",
        "commerce",
        "company",
        "market-entity",
        "加盟 特许经营 连锁",
        "《商业特许经营管理条例》第八条",
        "app business_lic contract",
        limits=(10, 5),
        depth=4,
        visits=0,
        result=("备案通知", "Filing notice", "other"),
    ),
    I(
        "01",
        "成品油零售经营资格审批",
        "Retail oil products licence",
        "commerce",
        "company",
        "market-entity safety",
        "加油站 成品油 零售经营",
        "《成品油市场管理办法》",
        "app business_lic land_title fire_check safety_rules",
        limits=(20, 15),
        depth=3,
        visits=1,
        result=("成品油零售经营批准证书", "Oil retail licence", "certificate"),
    ),
]

CONSTRUCTION_ITEMS = [
    I(
        "01",
        "建筑工程施工许可证核发",
        "Construction permit",
        "housing",
        "company",
        "construction build-project",
        "施工许可证 开工 工程建设",
        "《中华人民共和国建筑法》第八条《建筑工程施工许可管理办法》",
        "app land_title plan_permit contract drawing_review quality_plan funds~",
        Q(
            "phase",
            "是否分段办理施工许可？",
            "Is the permit issued in phases?",
            O("whole", "整体办理", "For the whole project"),
            O("foundation", "基础工程先行", "Foundations first", "commitment"),
        ),
        limits=(7, 3),
        depth=4,
        visits=0,
        result=("建筑工程施工许可证", "Construction permit", "certificate"),
    ),
    I(
        "01",
        "建设工程规划许可证核发",
        "Construction planning permit",
        "land",
        "company",
        "construction build-project",
        "规划许可 工程规划 方案审查",
        "《中华人民共和国城乡规划法》第四十条",
        "app land_title project_approval design_plan",
        COMPANY_AGENT,
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("建设工程规划许可证", "Construction planning permit", "certificate"),
    ),
    I(
        "01",
        "建设用地规划许可证核发",
        "Land-use planning permit",
        "land",
        "company",
        "construction build-project",
        "用地规划 出让用地 划拨用地",
        "《中华人民共和国城乡规划法》第三十七条",
        "app project_approval",
        Q(
            "supply",
            "土地供应方式",
            "How is the land supplied?",
            O("transfer", "出让", "Granted for a fee", "contract"),
            O("allocate", "划拨", "Allocated", "survey"),
        ),
        limits=(20, 7),
        depth=4,
        visits=0,
        result=("建设用地规划许可证", "Land-use planning permit", "certificate"),
        sub=1,
    ),
    I(
        "07",
        "不动产登记（首次登记、转移登记）",
        "Real estate registration (first and transfer)",
        "land",
        "both",
        "settle housing",
        "房产证 过户 不动产 产权登记",
        "《不动产登记暂行条例》第十四条",
        "app id house_cert tax_paid",
        Q(
            "kind",
            "登记类型",
            "What kind of registration?",
            O("first", "首次登记", "First registration", "survey completion"),
            O("transfer", "买卖转移登记", "Transfer on sale", "purchase_contract"),
            O("inherit", "继承转移登记", "Transfer by inheritance", "kinship evidence"),
        ),
        AGENT,
        limits=(30, 5),
        depth=3,
        visits=1,
        fee=(
            "住宅80元/件，非住宅550元/件",
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》",
        ),
        result=("不动产权证书", "Real estate title certificate", "certificate"),
    ),
    I(
        "10",
        "建设工程竣工验收备案",
        "Completion acceptance filing",
        "housing",
        "company",
        "construction build-project",
        "竣工验收 备案 联合验收",
        "《建设工程质量管理条例》第四十九条",
        "completion plan_permit fire_check",
        limits=(15, 5),
        depth=4,
        visits=0,
        result=("竣工验收备案证明", "Completion filing certificate", "other"),
    ),
    I(
        "04",
        "城市基础设施配套费征收",
        "Urban infrastructure fee",
        "housing",
        "company",
        "tax construction",
        "配套费 基础设施 建设规费",
        "《示范省城市基础设施配套费征收管理办法》",
        "project_list plan_permit",
        limits=(5, 2),
        depth=4,
        visits=0,
        fee=("按建筑面积计征，具体以核定通知为准", "《示范省城市基础设施配套费征收管理办法》"),
        result=("缴费通知书及电子票据", "Payment notice and e-receipt", "other"),
    ),
    I(
        "04",
        "国有土地上房屋征收与补偿",
        "Expropriation of housing on state land",
        "housing",
        "both",
        "housing",
        "房屋征收 拆迁 补偿",
        "《国有土地上房屋征收与补偿条例》第八条",
        "id house_cert bank_account compensation",
        limits=(60, 60),
        depth=2,
        visits=2,
        result=("房屋征收补偿决定", "Compensation decision", "approval_document"),
    ),
    I(
        "04",
        "闲置土地费征收",
        "Idle land charge",
        "land",
        "company",
        "tax",
        "闲置土地 土地闲置费",
        "《闲置土地处置办法》第十四条",
        "business_lic fee_notice",
        limits=(30, 15),
        depth=2,
        visits=1,
        result=("缴款通知书", "Payment notice", "other"),
    ),
    I(
        "01",
        "建设项目环境影响报告表审批",
        "Approval of an environmental impact report form",
        "eco",
        "company",
        "environment build-project",
        "环评 环境影响评价 环评审批",
        "《中华人民共和国环境影响评价法》第二十二条",
        "app eia_report project_approval",
        Q(
            "opinion",
            "是否需要技术评估？",
            "Is a technical assessment needed?",
            O("yes", "需要", "Yes", "eia_opinion"),
            O("no", "不需要（告知承诺审批）", "No (notify-and-commit)", "commitment"),
        ),
        limits=(30, 15),
        unit="natural_day",
        depth=4,
        visits=0,
        result=("环境影响报告表批复", "Approval of the report", "approval_document"),
    ),
    I(
        "01",
        "排污许可证核发",
        "Pollutant discharge permit",
        "eco",
        "company",
        "environment",
        "排污许可 排污证",
        "《排污许可管理条例》第十一条",
        "app business_lic monitoring",
        limits=(30, 20),
        depth=4,
        visits=0,
        result=("排污许可证", "Discharge permit", "certificate"),
    ),
    I(
        "10",
        "固定污染源排污登记",
        "Pollution source registration",
        "eco",
        "company",
        "environment",
        "排污登记 登记管理",
        "《排污许可管理条例》第二十四条",
        "business_lic",
        limits=(5, 0),
        spot=True,
        depth=4,
        visits=0,
        result=("排污登记回执", "Registration receipt", "other"),
    ),
    I(
        "01",
        "取水许可",
        "Water abstraction permit",
        "water",
        "company",
        "environment",
        "取水 水资源 取水证",
        "《取水许可和水资源费征收管理条例》第十一条",
        "app water_report project_approval",
        limits=(45, 20),
        depth=3,
        visits=1,
        result=("取水许可证", "Water abstraction permit", "certificate"),
    ),
    I(
        "04",
        "污水处理费征收",
        "Sewage treatment charge",
        "water",
        "both",
        "tax environment",
        "污水处理费 排水费",
        "《城镇排水与污水处理条例》第三十二条",
        "fee_notice",
        limits=(10, 3),
        depth=4,
        visits=0,
        fee=("按用水量计征", "《江川市污水处理费征收使用管理办法》"),
        result=("电子缴款凭证", "E-receipt", "other"),
    ),
    I(
        "01",
        "城市建筑垃圾处置核准",
        "Construction waste disposal approval",
        "urban",
        "company",
        "construction build-project",
        "渣土 建筑垃圾 消纳",
        "《城市建筑垃圾管理规定》第七条",
        "app waste_contract business_lic",
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("建筑垃圾处置核准文件", "Waste disposal approval", "approval_document"),
    ),
    I(
        "01",
        "户外广告设施设置审批",
        "Outdoor advertising approval",
        "urban",
        "company",
        "market-entity",
        "户外广告 招牌 店招",
        "《城市市容和环境卫生管理条例》第十一条",
        "app business_lic ad_design",
        Q(
            "size",
            "广告设施规格",
            "How large is the sign?",
            O("small", "门头招牌（面积10平方米以下）", "Shop sign under 10 m²"),
            O("large", "大型户外广告", "Large billboard", "quality_plan"),
        ),
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("户外广告设置许可", "Advertising permit", "approval_document"),
    ),
    I(
        "01",
        "城市道路占用、挖掘审批",
        "Permit to occupy or dig up a city road",
        "urban",
        "company",
        "construction",
        "占道 挖掘 道路施工",
        "《城市道路管理条例》第三十条",
        "app road_plan traffic_plan",
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("占用挖掘城市道路许可", "Road works permit", "approval_document"),
    ),
    I(
        "04",
        "城市生活垃圾处理费征收",
        "Household waste charge",
        "urban",
        "both",
        "tax",
        "垃圾费 生活垃圾处理费",
        "《城市生活垃圾管理办法》第七条",
        "fee_notice",
        limits=(10, 3),
        depth=4,
        visits=0,
        fee=("居民按户计收，单位按量计收", "《江川市生活垃圾处理费征收管理办法》"),
        result=("电子缴款凭证", "E-receipt", "other"),
    ),
]

TRANSPORT_ITEMS = [
    I(
        "01",
        "道路旅客运输经营许可",
        "Road passenger transport licence",
        "transport",
        "company",
        "transport start-business",
        "客运 道路运输经营许可证 班车",
        "《中华人民共和国道路运输条例》第八条",
        "app business_lic vehicles drivers safety_rules",
        COMPANY_AGENT,
        limits=(20, 10),
        depth=3,
        visits=1,
        result=("道路运输经营许可证", "Road transport licence", "certificate"),
    ),
    I(
        "01",
        "道路货物运输经营许可",
        "Road freight transport licence",
        "transport",
        "company",
        "transport start-business",
        "货运 道路运输经营许可证 物流",
        "《中华人民共和国道路运输条例》第二十一条",
        "app business_lic vehicles drivers",
        Q(
            "danger",
            "是否运输危险货物？",
            "Do you carry dangerous goods?",
            O("no", "普通货物", "Ordinary goods"),
            O("yes", "危险货物", "Dangerous goods", "safety_officer emergency_plan"),
        ),
        limits=(20, 5),
        depth=4,
        visits=0,
        sub=1,
        result=("道路运输经营许可证", "Road transport licence", "certificate"),
    ),
    I(
        "01",
        "网络预约出租汽车驾驶员证核发",
        "Ride-hailing driver licence",
        "transport",
        "person",
        "transport employment",
        "网约车 驾驶员证 从业资格",
        "《网络预约出租汽车经营服务管理暂行办法》第十四条",
        "app id driving_licence exam_pass",
        limits=(20, 5),
        depth=4,
        visits=0,
        result=("网络预约出租汽车驾驶员证", "Ride-hailing driver licence", "certificate"),
    ),
    I(
        "01",
        "机动车驾驶证换证",
        "Driving licence renewal",
        "psb",
        "person",
        "transport",
        "驾照换证 驾驶证到期 驾照",
        "《中华人民共和国道路交通安全法》第十九条《机动车驾驶证申领和使用规定》",
        "driving_licence id health_exam photo_receipt",
        Q(
            "reason",
            "换证原因",
            "Why do you renew?",
            O("expire", "有效期满换证", "Expiry"),
            O("change", "信息变化换证", "Change of details", "hukou"),
            O("broken", "损毁换证", "Damaged"),
        ),
        limits=(1, 0),
        spot=True,
        depth=4,
        visits=0,
        scope="cross_province",
        post=True,
        fee=("工本费10元", "《国家发展改革委 财政部关于公安交通管理收费标准的通知》"),
        result=("机动车驾驶证", "Driving licence", "certificate"),
    ),
    I(
        "07",
        "机动车注册登记",
        "Motor vehicle registration",
        "psb",
        "both",
        "transport",
        "上牌 新车上牌 车牌",
        "《中华人民共和国道路交通安全法》第八条",
        "id vehicle_reg tax_paid",
        Q(
            "owner",
            "车辆所有人",
            "Who owns the vehicle?",
            O("person", "个人", "A person"),
            O("company", "单位", "A unit", "business_lic proxy"),
        ),
        limits=(2, 1),
        depth=3,
        visits=1,
        fee=("号牌100元，行驶证10元", "《国家发展改革委 财政部关于公安交通管理收费标准的通知》"),
        result=("机动车号牌和行驶证", "Number plates and vehicle licence", "certificate"),
    ),
]

ENFORCEMENT_ITEMS = [
    I(
        "02",
        "对未取得营业执照从事经营活动的行政处罚",
        "Penalty for operating without a business licence",
        "amr",
        "both",
        "law-enforcement market-entity",
        "无照经营 处罚",
        "《无证无照经营查处办法》第十三条",
        "statement",
        Q(
            "hearing",
            "是否申请听证？",
            "Do you request a hearing?",
            O("no", "不申请", "No"),
            O("yes", "申请听证", "Yes", "hearing_request"),
        ),
        result=("行政处罚决定书", "Penalty decision", "approval_document"),
    ),
    I(
        "02",
        "对经营超过保质期食品的行政处罚",
        "Penalty for selling expired food",
        "amr",
        "company",
        "law-enforcement",
        "过期食品 食品安全 处罚",
        "《中华人民共和国食品安全法》第一百二十四条",
        "statement evidence",
    ),
    I(
        "02",
        "对道路交通安全违法行为的处罚",
        "Penalty for road traffic violations",
        "psb",
        "both",
        "transport law-enforcement",
        "交通违法 罚款 违章处理 扣分",
        "《中华人民共和国道路交通安全法》第八十七条",
        "driving_licence",
        Q(
            "owner",
            "处理人是否为机动车所有人？",
            "Are you the vehicle owner?",
            O("yes", "是", "Yes"),
            O("no", "否", "No", "vehicle_reg proxy"),
        ),
        limits=(15, 1),
        depth=4,
        visits=0,
        scope="cross_province",
        result=(
            "公安交通管理简易程序处罚决定书",
            "Summary traffic penalty decision",
            "approval_document",
        ),
    ),
    I(
        "02",
        "对用人单位未按时足额缴纳社会保险费的处罚",
        "Penalty for unpaid social insurance contributions",
        "hrss",
        "company",
        "social-security law-enforcement",
        "欠缴社保 社会保险 处罚",
        _SOCIAL_LAW + "第八十六条",
        "statement payment_receipt",
    ),
    I(
        "02",
        "对未经批准进行违法建设的处罚",
        "Penalty for unauthorised building",
        "urban",
        "both",
        "law-enforcement construction",
        "违建 违法建设 拆违",
        "《中华人民共和国城乡规划法》第六十四条",
        "statement evidence",
    ),
    I(
        "02",
        "对超标排放大气污染物的处罚",
        "Penalty for excessive air emissions",
        "eco",
        "company",
        "environment law-enforcement",
        "超标排放 大气污染 环保处罚",
        "《中华人民共和国大气污染防治法》第九十九条",
        "statement monitoring rectification",
    ),
    I(
        "02",
        "对单位不办理住房公积金缴存登记的处罚",
        "Penalty for failing to register for the provident fund",
        "hpf",
        "company",
        "housing law-enforcement",
        "公积金 未缴存 处罚",
        _HPF_LAW + "第三十七条",
        "statement hpf_register",
    ),
    I(
        "02",
        "对生产经营单位未建立安全生产责任制的处罚",
        "Penalty for lacking a work-safety responsibility system",
        "emergency",
        "company",
        "safety law-enforcement",
        "安全生产 责任制 处罚",
        "《中华人民共和国安全生产法》第九十四条",
        "statement safety_rules",
    ),
    I(
        "02",
        "对纳税人逾期未申报的处罚",
        "Penalty for late tax returns",
        "tax",
        "both",
        "tax law-enforcement",
        "逾期申报 税务处罚 首违不罚",
        "《中华人民共和国税收征收管理法》第六十二条",
        "statement",
        Q(
            "first",
            "是否首次发生且在规定期限内改正？",
            "Is it a first offence corrected in time?",
            O(
                "yes",
                "是（适用首违不罚）",
                "Yes (no penalty for a first offence)",
                cond="首次违法且及时改正、危害后果轻微的，不予行政处罚。",
                cond_en="A first, minor offence corrected in time is not penalised.",
            ),
            O("no", "否", "No", "payment_receipt"),
        ),
        limits=(30, 5),
        depth=4,
        visits=0,
    ),
    I(
        "03",
        "查封、扣押不符合食品安全标准的食品",
        "Seizure of food failing safety standards",
        "amr",
        "company",
        "law-enforcement",
        "查封 扣押 食品",
        "《中华人民共和国食品安全法》第一百一十条",
        "ledger evidence",
    ),
    I(
        "03",
        "强制拆除违法建筑物、构筑物",
        "Forced demolition of illegal structures",
        "urban",
        "both",
        "law-enforcement construction",
        "强拆 违法建筑",
        "《中华人民共和国城乡规划法》第六十八条",
        "statement evidence",
        limits=(60, 60),
        unit="natural_day",
    ),
    I(
        "03",
        "扣留机动车",
        "Detention of a motor vehicle",
        "psb",
        "both",
        "transport law-enforcement",
        "扣车 扣留车辆",
        "《中华人民共和国道路交通安全法》第九十五条",
        "vehicle_reg driving_licence",
        limits=(15, 15),
        unit="natural_day",
    ),
    I(
        "03",
        "查封、扣押造成污染物排放的设施设备",
        "Seizure of polluting equipment",
        "eco",
        "company",
        "environment law-enforcement",
        "查封 扣押 污染 设备",
        "《中华人民共和国环境保护法》第二十五条",
        "monitoring rectification",
    ),
    I(
        "03",
        "税收保全措施",
        "Tax preservation measures",
        "tax",
        "both",
        "tax law-enforcement",
        "冻结存款 税收保全",
        "《中华人民共和国税收征收管理法》第三十八条",
        "evidence",
    ),
    I(
        "06",
        "食品经营者监督检查",
        "Inspection of food businesses",
        "amr",
        "company",
        "law-enforcement market-entity",
        "双随机 食品检查 日常检查",
        "《中华人民共和国食品安全法》第一百一十条",
        "food_licence ledger",
        Q(
            "found",
            "检查是否发现问题？",
            "Were problems found?",
            O("no", "未发现问题", "No"),
            O("yes", "发现问题，责令整改", "Yes, rectification ordered", "rectification"),
        ),
    ),
    I(
        "06",
        "用人单位遵守劳动保障法律法规情况检查",
        "Labour law compliance inspection",
        "hrss",
        "company",
        "employment law-enforcement",
        "劳动监察 欠薪 劳动合同检查",
        "《劳动保障监察条例》第十五条",
        "labor_contract ledger social_record",
    ),
    I(
        "06",
        "建筑工程质量安全监督检查",
        "Construction quality and safety inspection",
        "housing",
        "company",
        "construction law-enforcement",
        "质量安全 工地检查",
        "《建设工程质量管理条例》第四十七条",
        "quality_plan ledger",
    ),
    I(
        "06",
        "生产经营单位安全生产监督检查",
        "Work safety inspection",
        "emergency",
        "company",
        "safety law-enforcement",
        "安全检查 隐患排查",
        "《中华人民共和国安全生产法》第六十五条",
        "safety_rules emergency_plan ledger",
        Q(
            "danger",
            "是否属于危险化学品企业？",
            "Is it a hazardous chemicals business?",
            O("no", "否", "No"),
            O("yes", "是", "Yes", "storage safety_officer"),
        ),
    ),
    I(
        "06",
        "排污单位监督检查",
        "Inspection of polluting units",
        "eco",
        "company",
        "environment law-enforcement",
        "环保检查 排污检查",
        "《中华人民共和国环境保护法》第二十四条",
        "monitoring ledger",
    ),
    I(
        "06",
        "道路运输企业监督检查",
        "Inspection of road transport businesses",
        "transport",
        "company",
        "transport law-enforcement",
        "运输企业检查 安全检查",
        "《中华人民共和国道路运输条例》第五十九条",
        "vehicles drivers ledger",
    ),
    I(
        "06",
        "公共场所卫生监督检查",
        "Public place hygiene inspection",
        "health",
        "company",
        "medical law-enforcement",
        "卫生监督 公共场所",
        "《公共场所卫生管理条例》第十一条",
        "hygiene_check ledger",
    ),
]

OTHER_ITEMS = [
    I(
        "04",
        "社会保险费征收（企业职工基本养老保险）",
        "Social insurance contributions (employees' basic pension)",
        "tax",
        "company",
        "tax social-security",
        "社保费 社会保险费 养老保险缴费 社保缴费",
        _SOCIAL_LAW + "第五十九条",
        "wage_report",
        COMPANY_AGENT,
        limits=(15, 1),
        depth=4,
        visits=0,
        result=("社会保险费缴费凭证", "Contribution receipt", "other"),
    ),
    I(
        "04",
        "城乡居民基本医疗保险费征收",
        "Residents' medical insurance contributions",
        "tax",
        "person",
        "tax medical social-security",
        "居民医保 医保缴费 社保",
        _SOCIAL_LAW + "第二十五条",
        "id",
        limits=(5, 0),
        spot=True,
        depth=4,
        visits=0,
        sub=1,
        fee=("按年度个人缴费标准缴纳", "《示范省城乡居民基本医疗保险实施办法》"),
        result=("缴费凭证", "Receipt", "other"),
    ),
    I(
        "01",
        "危险化学品经营许可",
        "Hazardous chemicals trading licence",
        "emergency",
        "company",
        "safety",
        "危化品 危险化学品 经营许可证",
        "《危险化学品安全管理条例》第三十三条",
        "app business_lic storage safety_officer emergency_plan safety_rules",
        limits=(30, 20),
        depth=3,
        visits=1,
        result=("危险化学品经营许可证", "Hazardous chemicals licence", "certificate"),
    ),
    I(
        "08",
        "安全生产举报奖励",
        "Reward for reporting work-safety hazards",
        "emergency",
        "person",
        "safety",
        "举报奖励 安全隐患",
        "《安全生产领域举报奖励办法》",
        "id report_letter",
        limits=(60, 30),
        unit="natural_day",
        depth=4,
        visits=0,
        result=("奖励决定", "Reward decision", "other"),
    ),
    I(
        "01",
        "动物防疫条件合格证核发",
        "Animal epidemic prevention certificate",
        "agri",
        "company",
        "start-business",
        "养殖场 动物防疫 合格证",
        "《中华人民共和国动物防疫法》第二十五条",
        "app site_plan animal_plan",
        limits=(20, 10),
        depth=3,
        visits=2,
        result=("动物防疫条件合格证", "Epidemic prevention certificate", "certificate"),
    ),
    I(
        "01",
        "农药经营许可",
        "Pesticide trading licence",
        "agri",
        "company",
        "start-business",
        "农药 农资 经营许可",
        "《农药管理条例》第二十四条",
        "app business_lic pesticide_staff storage",
        limits=(20, 10),
        depth=4,
        visits=0,
        result=("农药经营许可证", "Pesticide licence", "certificate"),
    ),
    I(
        "09",
        "土地权属争议行政裁决",
        "Ruling on land ownership disputes",
        "land",
        "both",
        "law-enforcement",
        "土地纠纷 权属争议",
        "《中华人民共和国土地管理法》第十四条",
        "arbitration_app ownership_proof dispute_proof",
    ),
    I(
        "09",
        "林木林地权属争议裁决",
        "Ruling on forest ownership disputes",
        "agri",
        "both",
        "law-enforcement",
        "山林纠纷 林权",
        "《中华人民共和国森林法》第二十二条",
        "arbitration_app ownership_proof",
    ),
    I(
        "10",
        "政府信息公开申请",
        "Request for government information",
        "approval",
        "both",
        "law-enforcement",
        "信息公开 依申请公开",
        "《中华人民共和国政府信息公开条例》第二十九条",
        "info_request id",
        limits=(20, 15),
        depth=4,
        visits=0,
        result=("政府信息公开申请答复书", "Reply to the request", "other"),
    ),
    I(
        "08",
        "优秀技能人才表彰",
        "Award for outstanding skilled workers",
        "hrss",
        "person",
        "employment",
        "技能大师 技术能手 表彰",
        "《江川市高技能人才评选表彰办法》",
        "app deeds training_cert",
    ),
]

ALL_ITEM_TABLES = [
    HOUSEHOLD_ITEMS,
    MARRIAGE_BIRTH_ITEMS,
    SOCIAL_ITEMS,
    HPF_ITEMS,
    MEDICAL_ITEMS,
    ASSISTANCE_ITEMS,
    EDUCATION_CULTURE_ITEMS,
    BUSINESS_ITEMS,
    CONSTRUCTION_ITEMS,
    TRANSPORT_ITEMS,
    ENFORCEMENT_ITEMS,
    OTHER_ITEMS,
]


# The identity assurance level (实名认证等级) an applicant needs, by item name; every other item
# needs L1 (a registered account). L2 (name and ID number matched with the population registry)
# for items that change someone's legal status or move money (and the criminal and marriage
# records); L3 (confirmed in person at a window) for the few where a mistaken identity can hardly be
# undone. Penalties, enforcement and inspections are started by the department: L1.
def _form(fields: dict[str, dict[str, Any]], *, long: tuple[str, ...] = ()) -> dict[str, Any]:
    """The default application form with the item's own (optional) fields after the contact."""
    form = copy.deepcopy(DEFAULT_FORM)
    form["properties"].update(fields)
    order = form["x-layout"]["order"]
    form["x-layout"]["order"] = order[:2] + list(fields) + order[2:]
    form["x-layout"]["long"] = [*form["x-layout"]["long"], *long]
    return form


# The items whose approval issues a certificate ask for what goes on its face (照面), so the
# approver confirms instead of typing.
APPLICATION_FORMS: dict[str, dict[str, Any]] = {
    "有限责任公司设立登记（营业执照）": _form(
        {
            "company_name": {"type": "string", "title": "拟设立公司名称", "maxLength": 100},
            "company_type": {
                "type": "string",
                "title": "公司类型",
                "enum": ["有限责任公司（自然人独资）", "有限责任公司（自然人投资或控股）"],
            },
            "registered_capital": {"type": "string", "title": "注册资本", "maxLength": 50},
            "address": {"type": "string", "title": "住所", "maxLength": 200},
            "business_scope": {"type": "string", "title": "经营范围", "maxLength": 1000},
        },
        long=("business_scope",),
    ),
    "居住证申领": _form(
        {"address": {"type": "string", "title": "居住地址", "maxLength": 200}},
    ),
}

ASSURANCE_LEVELS: dict[str, int] = {
    # household registration and identity documents
    "居住证申领": 2,
    "出生登记": 2,
    "户口迁入": 2,
    "户口迁出": 2,
    "居民身份证申领、换领、补领": 2,
    "无犯罪记录证明开具": 2,
    "普通护照签发": 2,
    # marriage and birth
    "结婚登记": 3,
    "离婚登记": 3,
    "婚姻登记档案查询": 2,
    "新生儿参加城乡居民医疗保险": 2,
    # social security
    "社会保障卡申领": 2,
    "社会保障卡补领、换领": 2,
    "社会保险关系转移接续": 2,
    "灵活就业人员社会保险参保登记": 2,
    "单位社会保险登记": 2,
    "失业保险金申领": 2,
    "基本养老保险待遇申领（退休）": 2,
    "工伤保险待遇核定支付": 2,
    "工伤认定": 2,
    "创业担保贷款申请": 2,
    "社会保险费征收（企业职工基本养老保险）": 2,
    "城乡居民基本医疗保险费征收": 2,
    # housing provident fund
    "住房公积金提取": 2,
    "住房公积金个人住房贷款": 2,
    "住房公积金单位缴存登记": 2,
    # medical insurance and assistance
    "医保报销（异地就医零星医疗费用报销）": 2,
    "基本医疗保险关系转移接续": 2,
    "医疗救助": 2,
    "生育津贴支付": 2,
    "最低生活保障": 2,
    "特困人员救助供养": 2,
    "临时救助": 2,
    "高龄津贴发放": 2,
    "困难残疾人生活补贴和重度残疾人护理补贴": 2,
    "残疾人证核发": 2,
    "优抚对象抚恤补助": 2,
    "退役士兵自主就业一次性经济补助": 2,
    # establishing, changing and closing businesses and organisations; taxes
    "有限责任公司设立登记（营业执照）": 2,
    "有限责任公司变更登记": 2,
    "有限责任公司注销登记": 2,
    "个体工商户营业执照（设立登记）": 2,
    "个体工商户变更登记": 2,
    "个体工商户注销登记": 2,
    "民办学校设立": 2,
    "社会团体成立登记": 2,
    "新办纳税人套餐式服务": 2,
    "增值税发票领用": 2,
    # property and vehicles
    "不动产登记（首次登记、转移登记）": 3,
    "国有土地上房屋征收与补偿": 2,
    "机动车注册登记": 2,
    # disputes
    "劳动人事争议仲裁": 2,
}


# ---------------------------------------------------------------------------------------------
# Catalog: building the document

COMPLAINT_CHANNEL = (
    "12345政务服务便民热线；江川市政务服务网“好差评”；市行政审批服务局监督电话 0999-12345110"
)
CITY_HALL_ADDRESS = "江川市明湖区市民大道1号市民中心"


def _implementers(dept: str) -> list[dict[str, str]]:
    """Where a base item is implemented: department code, region, address, phone."""
    by_code = {d["credit_code"]: d for d in _departments()}
    codes = department_codes()
    if dept.startswith("districts:"):
        key = dept.split(":", 1)[1]
        result = []
        for d, (district, name, _name_en, _streets) in enumerate(DISTRICTS):
            code = codes[f"{district}/{key}"]
            result.append(
                {
                    "department": code,
                    "region": district,
                    "address": f"{CITY_NAME}{name}政务路{8 + d * 3}号{name}政务服务中心",
                    "phone": by_code[code]["phone"],
                    "level": "district",
                }
            )
        return result
    code = codes[dept]
    department = by_code[code]
    return [
        {
            "department": code,
            "region": CITY,
            "address": f"{CITY_HALL_ADDRESS}（{department['short_name']}综合受理窗口）",
            "office_address": department["address"],
            "phone": department["phone"],
            "level": "city",
        }
    ]


def _material(key: str, code: str, necessity: str, item_name: str, item_name_en: str):
    if key == "app":
        data = _m(
            f"{item_name}申请表",
            f"Application form: {item_name_en}",
            notes="可在线填写，系统根据已掌握的数据自动预填。",
            notes_en="May be filled in online; known data are prefilled.",
        )
    else:
        data = dict(MATERIALS[key])
    return {
        "code": code,
        "name": data["name"],
        "name_en": data["name_en"],
        "necessity": necessity,
        "form": data["form"],
        "original_copy": data["original_copy"],
        "source": data["source"],
        "source_detail": data["source_detail"],
        "certificate_type": data.get("certificate_type", ""),
        "sharing_service": data.get("sharing_service", ""),
        "paper_size": data["paper_size"],
        "copies": data["copies"],
        "notes": data["notes"],
        "notes_en": data["notes_en"],
        "blank_form": None,
        "sample": None,
    }


def _materials_and_situations(spec: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    materials: list[dict[str, Any]] = []
    code_of: dict[str, str] = {}

    def add(key: str, necessity: str) -> None:
        if key in code_of:
            return
        code = f"M{len(materials) + 1:02d}"
        code_of[key] = code
        materials.append(_material(key, code, necessity, spec["name"], spec["name_en"]))

    for token in spec["materials"]:
        add(token.rstrip("~"), "deferrable" if token.endswith("~") else "required")
    for situation in spec["situations"]:
        for option in situation["options"]:
            for key in option[3].split():
                add(key, "conditional")
    names = {m["code"]: (m["name"], m["name_en"]) for m in materials}
    question_codes: dict[str, str] = {}
    situations = []
    for n, situation in enumerate(spec["situations"], start=1):
        code = f"Q{n}"
        question_codes[situation["key"]] = code
        depends = None
        if situation["depends"]:
            key, option_code = situation["depends"].split(":")
            depends = f"{question_codes[key]}:{option_code}"
        options = []
        for o_code, label, label_en, keys, cond, cond_en in situation["options"]:
            linked = [code_of[k] for k in keys.split()]
            if linked and not cond:
                cond = "需另行提交：" + "、".join(names[c][0] for c in linked) + "。"
                cond_en = "Also submit: " + "; ".join(names[c][1] for c in linked) + "."
            options.append(
                {
                    "code": o_code,
                    "label": label,
                    "label_en": label_en,
                    "materials": linked,
                    "conditions": cond,
                    "conditions_en": cond_en,
                }
            )
        situations.append(
            {
                "code": code,
                "question": situation["question"],
                "question_en": situation["question_en"],
                "multiple": situation["multiple"],
                "depends_on": depends,
                "options": options,
            }
        )
    return materials, situations


def _base_codes(specs: list[dict[str, Any]]) -> list[str]:
    mains: dict[str, int] = {}
    codes = []
    for spec in specs:
        item_type = spec["item_type"]
        if not spec["sub"]:
            mains[item_type] = mains.get(item_type, 0) + 1
        codes.append(f"{item_type}{mains[item_type] * 10:05d}{spec['sub']:03d}00")
    return codes


def item_specs() -> list[dict[str, Any]]:
    return [spec for table in ALL_ITEM_TABLES for spec in table]


def _items(specs: list[dict[str, Any]], base_codes: list[str]) -> list[dict[str, Any]]:
    unknown = (set(ASSURANCE_LEVELS) | set(APPLICATION_FORMS)) - {spec["name"] for spec in specs}
    if unknown:
        raise ValueError(f"demo tables name unknown items: {sorted(unknown)}")
    items = []
    for spec, base_code in zip(specs, base_codes, strict=True):
        item_type = spec["item_type"]
        defaults = _TYPE_DEFAULTS[item_type]
        legal, promised = spec["limits"] or defaults["limits"]
        promised = min(promised, legal)
        depth = spec["depth"] or defaults["depth"]
        visits = spec["visits"]
        if visits is None:
            visits = {4: 0, 3: 1}.get(depth, 2 if item_type in {"01", "09"} else 1)
        result_name, result_name_en, result_type = spec["result"] or defaults["result"]
        fees, fee_basis = spec["fee"] or ("不收费", "")
        fee_required = spec["fee"] is not None
        post = spec["post"]
        if post is None:
            post = result_type in {"certificate", "approval_document"} and depth >= 3
        materials, situations = _materials_and_situations(spec)
        enforcement = item_type in {"02", "03", "06"}
        extra = {}
        if spec["name"] in APPLICATION_FORMS:
            extra["application_form"] = copy.deepcopy(APPLICATION_FORMS[spec["name"]])
        for place in _implementers(spec["dept"]):
            items.append(
                {
                    **extra,
                    "implementation_code": place["department"] + base_code,
                    "base_code": base_code,
                    "department": place["department"],
                    "region": place["region"],
                    "name": spec["name"],
                    "name_en": spec["name_en"],
                    "audience": spec["audience"],
                    "themes": list(spec["themes"]),
                    "keywords": spec["keywords"],
                    "legal_basis": spec["basis"],
                    "acceptance_conditions": spec["cond"] or defaults["cond"],
                    "acceptance_conditions_en": spec["cond_en"] or defaults["cond_en"],
                    "legal_time_limit": legal,
                    "legal_time_limit_unit": spec["unit"],
                    "promised_time_limit": promised,
                    "promised_time_limit_unit": spec["unit"],
                    "process": defaults["process"],
                    "process_en": defaults["process_en"],
                    "case_kind": "on_the_spot" if spec["spot"] else "promised",
                    "visits_needed": visits,
                    "fee_required": fee_required,
                    "fees": fees,
                    "fee_basis": fee_basis,
                    "address": place.get("office_address", place["address"])
                    if enforcement
                    else place["address"],
                    "office_hours": OFFICE_HOURS,
                    "phone": place["phone"],
                    "complaint_channel": COMPLAINT_CHANNEL,
                    "online_depth": depth,
                    "handling_scope": "district"
                    if place["level"] == "district"
                    and spec["scope"] == "city_wide"
                    and spec["dept"].endswith("approval")
                    else spec["scope"],
                    "delivery_by_post": post,
                    "online_payment": fee_required and depth >= 3,
                    "appointment": visits > 0,
                    "result_name": result_name,
                    "result_name_en": result_name_en,
                    "result_type": result_type,
                    "special_procedures": defaults["special"],
                    "min_assurance_level": ASSURANCE_LEVELS.get(spec["name"], 1),
                    "materials": [dict(m) for m in materials],
                    "situations": [
                        {**s, "options": [dict(o) for o in s["options"]]} for s in situations
                    ],
                }
            )
    return items


def catalog() -> dict[str, Any]:
    """The demo catalog in the exchange format of docs/catalog-format.md."""
    specs = item_specs()
    base_codes = _base_codes(specs)
    base_items = []
    for spec, base_code in zip(specs, base_codes, strict=True):
        base_items.append(
            {
                "base_code": base_code,
                "name": spec["name"],
                "name_en": spec["name_en"],
                "item_type": spec["item_type"],
                "legal_basis": spec["basis"],
                "exercising_level": "district" if spec["dept"].startswith("districts:") else "city",
            }
        )
    return {
        "format": "tongban.catalog",
        "format_version": 1,
        "themes": _themes(),
        "base_items": base_items,
        "items": _items(specs, base_codes),
    }


# ---------------------------------------------------------------------------------------------
# Certificate types (证照类型)


def base_code_of(name: str) -> str:
    """The base code of the demo item named ``name``."""
    specs = item_specs()
    for spec, code in zip(specs, _base_codes(specs), strict=True):
        if spec["name"] == name:
            return code
    raise KeyError(name)


def certificate_types() -> list[dict[str, Any]]:
    """营业执照 (market regulation) and 居住证 (each district's public security sub-bureau)."""
    codes = department_codes()
    return [
        {
            "code": CERTIFICATE_DEFINING_BODY + "001",
            "name": "营业执照",
            "name_en": "Business licence",
            "holder_kind": "company",
            "face_fields": [
                {"key": "company_type", "label": "类型", "label_en": "Type", "required": True},
                {
                    "key": "legal_representative",
                    "label": "法定代表人",
                    "label_en": "Legal representative",
                    "required": True,
                    "from": "person.name",
                },
                {"key": "registered_capital", "label": "注册资本", "label_en": "Capital"},
                {
                    "key": "established_on",
                    "label": "成立日期",
                    "label_en": "Established",
                    "from": "decision.date",
                },
                {"key": "address", "label": "住所", "label_en": "Address", "required": True},
                {"key": "business_scope", "label": "经营范围", "label_en": "Business scope"},
            ],
            "validity_years": None,
            "issuing_department_codes": [codes["amr"]],
            "producing_item_codes": [base_code_of("有限责任公司设立登记（营业执照）")],
            "renewal_item_code": base_code_of("有限责任公司变更登记"),
            "disclosable_claims": ["in_good_standing"],
        },
        {
            "code": CERTIFICATE_DEFINING_BODY + "002",
            "name": "居住证",
            "name_en": "Residence permit",
            "holder_kind": "person",
            "face_fields": [
                {
                    "key": "sex",
                    "label": "性别",
                    "label_en": "Sex",
                    "required": True,
                    "from": "person.sex",
                },
                {"key": "address", "label": "居住地址", "label_en": "Address", "required": True},
            ],
            "validity_years": 1,
            "issuing_department_codes": [codes[f"{d[0]}/psb"] for d in DISTRICTS],
            "producing_item_codes": [base_code_of("居住证申领")],
            "renewal_item_code": base_code_of("居住证签注"),
            "disclosable_claims": [
                "holderName",
                "holderCode",
                "sex",
                "address",
                "birth_date",
                "age_over_18",
            ],
        },
    ]
