"""Builds the shipped report template, data/templates/report.docx (and report.en.docx).

The template is an ordinary Word document laid out by GB/T 9704 (`checkin.officialdoc`) whose
paragraphs hold the report's wording with Jinja tags (docxtpl): `{{ unit }}`, `{% if … %}`,
`{%p for s in suggestions %}` for a paragraph per suggestion, `{%tr for c in categories %}` for
a table row per category. An office edits its copy in Word or WPS — the wording, its letterhead,
the styles' fonts — and passes it with `checkin report --template FILE`; nothing here needs to
change. `python -m checkin.report_template` rewrites the shipped files from the wording below.
The names a template can use are listed in the README (section "The report").
"""

from __future__ import annotations

import sys
from pathlib import Path

from checkin import officialdoc as od
from checkin.paths import data_dir

# Each entry: (kind, text). Kinds: title, addressee, h1, body, note, table, chart, photos,
# signature, raw (a paragraph holding only a docxtpl paragraph tag).
ZH: list[tuple[str, str]] = [
    ("title", "{{ report_title_lines }}"),
    ("addressee", "{{ addressee }}"),
    (
        "body",
        "为深入推进政务公开，增进社会公众对政府工作的了解、理解和支持，{{ unit }}于{{ date }}"
        "{{ time }}举办{{ event_name }}{% if theme %}，主题为“{{ theme }}”{% endif %}。"
        "现将活动开展情况报告如下。",
    ),
    ("h1", "一、活动基本情况"),
    (
        "body",
        "活动在{{ location }}举行{% if meeting_point %}，参加人员在{{ meeting_point }}集中签到"
        "{% endif %}{% if places %}，实地走进{{ places }}{% endif %}。"
        "{% if agenda_text %}活动议程为：{{ agenda_text }}。{% endif %}"
        "活动计划名额{{ capacity }}人，入场查验方式为{{ checks }}。",
    ),
    ("h1", "二、参加人员情况"),
    (
        "body",
        "本次活动共邀请{{ total.invited }}人，实际到场{{ total.arrived }}人{% if total.walk_ins %}（含现场"
        "登记入场{{ total.walk_ins }}人）{% endif %}{% if total.turned_away %}，另有{{ total.turned_away }}人"
        "到场但未能入场{% endif %}，未到场{{ total.no_show }}人"
        "{% if total.declined %}，另有{{ total.declined }}人入选后主动放弃名额"
        "{% endif %}。{% if arrived_by_category %}到场人员中，{{ arrived_by_category }}。{% endif %}"
        "{% if counted_present %}计入名额的到场人员{{ counted_present }}人中，群众代表"
        "{{ citizens_present }}人，占{{ citizen_share }}，{% if citizen_share_ok %}达到{% else %}"
        "未达到{% endif %}群众代表比例不低于{{ min_share }}的要求。{% endif %}",
    ),
    ("table", ""),
    (
        "body",
        "{% if total.walk_ins %}表1中到场人数含现场登记入场的{{ walk_ins_by_category }}。{% endif %}"
        "{% if refused or failed_checks %}入场查验中，{{ refused }}{% if refused and failed_checks %}"
        "；{% endif %}{{ failed_checks }}。{% elif total.arrived %}到场人员均通过入场查验。{% endif %}",
    ),
    ("raw", "{%p if quotas_text or group_count %}"),
    (
        "body",
        "{% if quotas_text %}分类名额方面，{{ quotas_text }}。{% endif %}"
        "{% if group_count %}以单位等集体形式申请{{ group_count }}个，共申请{{ group_members }}人，"
        "入选{{ group_invited }}人，到场{{ group_arrived }}人，分别为：{{ groups_text }}。{% endif %}",
    ),
    ("raw", "{%p endif %}"),
    ("h1", "三、现场观摩和座谈交流"),
    (
        "body",
        "{% if places %}参加人员实地观摩了{{ places }}，现场了解相关工作流程和服务情况。{% endif %}"
        "{% if from_forum %}在座谈交流环节，参加人员提出意见建议{{ from_forum }}条。"
        "{% else %}座谈交流环节，参加人员与工作人员进行了面对面交流。{% endif %}",
    ),
    ("raw", "{%p if visit_text %}"),
    ("body", "{{ visit_text }}{{ visit_schedule }}{{ visit_left }}{{ visit_forced }}"),
    ("raw", "{%p endif %}"),
    ("h1", "四、满意度测评情况"),
    (
        "body",
        "{% if forms %}活动结束后，现场发放满意度测评表，收回有效测评表{{ forms }}份，回收率{{ return_rate }}"
        "{% if forms_excess %}（收回的测评表比到场人数多{{ forms_excess }}份，回收率按到场人数计，"
        "多出的测评表仍计入满意率）{% endif %}。总体满意率为{{ overall_rate }}（{{ overall_method }}）"
        "{% if survey_items %}，其中{% for i in survey_items %}{{ i.label }}{{ i.rate }}"
        "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}。"
        "{% else %}活动现场未收回满意度测评表。{% endif %}",
    ),
    ("chart", ""),
    ("h1", "五、意见建议征集和办理情况"),
    (
        "body",
        "{% if suggestion_count %}本次活动共征集意见建议{{ suggestion_count }}条，其中"
        "{{ suggestion_sources }}。目前{{ suggestion_statuses }}。"
        "按照{{ followup_days }}个工作日内办结并及时反馈的要求，上述意见建议将于{{ followup_due }}前"
        "办结并反馈。{% else %}本次活动未收到意见建议。{% endif %}",
    ),
    ("raw", "{%p for s in suggestions %}"),
    (
        "body",
        "{{ s.number }}．{{ s.text }}（{{ s.source }}）。办理情况：{{ s.status }}"
        "{% if s.department %}，承办科室为{{ s.department }}{% endif %}"
        "{% if s.outcome %}，办理结果为{{ s.outcome }}{% endif %}{% if s.reason %}，理由：{{ s.reason }}"
        "{% endif %}{% if s.reply %}，答复：{{ s.reply }}{% endif %}。",
    ),
    ("raw", "{%p endfor %}"),
    (
        "body",
        "活动情况将于{{ website_due }}前（活动结束后{{ website_days }}个工作日内）在门户网站"
        "“政府开放日”专栏公开。",
    ),
    ("raw", "{%p if calendar_note %}"),
    ("body", "（{{ calendar_note }}）"),
    ("raw", "{%p endif %}"),
    ("photos", "六、活动图片"),
    ("body", "特此报告。"),
    ("signature", ""),
]

EN: list[tuple[str, str]] = [
    ("title", "{{ report_title_lines }}"),
    ("addressee", "{{ addressee }}"),
    (
        "body",
        "To make government work more open and better understood, {{ unit }} held {{ event_name }} "
        "on {{ date }}{% if time %}, {{ time }}{% endif %}{% if theme %}, on the theme “{{ theme }}”"
        "{% endif %}. This report sets out how it went.",
    ),
    ("h1", "1. The event"),
    (
        "body",
        "The event took place at {{ location }}{% if meeting_point %}; guests checked in at "
        "{{ meeting_point }}{% endif %}{% if places %} and visited {{ places }}{% endif %}. "
        "{% if agenda_text %}Agenda: {{ agenda_text }}. {% endif %}Places: {{ capacity }}; "
        "entry checks: {{ checks }}.",
    ),
    ("h1", "2. Who took part"),
    (
        "body",
        "{{ total.invited }} people were invited, {{ total.arrived }} came{% if total.walk_ins %} "
        "({{ total.walk_ins }} of them registered at the door){% endif %}{% if total.turned_away %}, "
        "{{ total.turned_away }} more came but {% if total.turned_away == 1 %}was{% else %}were{% endif %} "
        "not let in{% endif %} and {{ total.no_show }} "
        "did not{% if total.declined %}; {{ total.declined }} more gave up their place "
        "after being selected{% endif %}. {% if arrived_by_category %}Of those who came: "
        "{{ arrived_by_category }}. "
        "{% endif %}{% if counted_present %}Of the {{ counted_present }} counted against the places, "
        "{{ citizens_present }} were citizens ({{ citizen_share }}), which {% if citizen_share_ok %}"
        "meets{% else %}falls short of{% endif %} the required {{ min_share }}.{% endif %}",
    ),
    ("table", ""),
    (
        "body",
        "{% if total.walk_ins %}Those who came in Table 1 include people registered at the door: "
        "{{ walk_ins_by_category }}. {% endif %}"
        "{% if refused or failed_checks %}At the entrance: {{ refused }}{% if refused and "
        "failed_checks %}; {% endif %}{{ failed_checks }}.{% elif total.arrived %}Everyone who came "
        "passed the entry checks.{% endif %}",
    ),
    ("raw", "{%p if quotas_text or group_count %}"),
    (
        "body",
        "{% if quotas_text %}Places by category: {{ quotas_text }}. {% endif %}"
        "{% if group_count %}{{ group_count }} group applications from organisations: "
        "{{ group_members }} people applied, {{ group_invited }} were invited and {{ group_arrived }} "
        "came — {{ groups_text }}.{% endif %}",
    ),
    ("raw", "{%p endif %}"),
    ("h1", "3. The visit and the forum"),
    (
        "body",
        "{% if places %}Guests visited {{ places }}. {% endif %}{% if from_forum %}In the forum they "
        "raised {{ from_forum }} suggestion{% if from_forum != 1 %}s{% endif %}.{% else %}In the forum "
        "guests talked with the staff."
        "{% endif %}",
    ),
    ("raw", "{%p if visit_text %}"),
    ("body", "{{ visit_text }}{{ visit_schedule }}{{ visit_left }}{{ visit_forced }}"),
    ("raw", "{%p endif %}"),
    ("h1", "4. Satisfaction"),
    (
        "body",
        "{% if forms %}{{ forms }} valid satisfaction form{% if forms != 1 %}s were{% else %} was{% endif %} "
        "returned, a return rate of {{ return_rate }}"
        "{% if forms_excess %} ({{ forms_excess }} more {% if forms_excess == 1 %}form{% else %}forms"
        "{% endif %} than guests who came: the rate counts "
        "at most one per guest; all forms count towards satisfaction){% endif %}. Overall "
        "satisfaction: {{ overall_rate }} ({{ overall_method }}){% if survey_items %}; "
        "{% for i in survey_items %}{{ i.label }} {{ i.rate }}{% if not loop.last %}, {% endif %}"
        "{% endfor %}{% endif %}.{% else %}No satisfaction forms were returned.{% endif %}",
    ),
    ("chart", ""),
    ("h1", "5. Suggestions and how they are handled"),
    (
        "body",
        "{% if suggestion_count %}{{ suggestion_count }} suggestion{% if suggestion_count != 1 %}s were"
        "{% else %} was{% endif %} received "
        "({{ suggestion_sources }}). Now: {{ suggestion_statuses }}. Each is to be "
        "answered within {{ followup_days }} working days, by {{ followup_due }}.{% else %}No "
        "suggestions were received.{% endif %}",
    ),
    ("raw", "{%p for s in suggestions %}"),
    (
        "body",
        "{{ s.number }}. {{ s.text }} ({{ s.source }}). Handling: {{ s.status }}"
        "{% if s.department %}, department: {{ s.department }}{% endif %}{% if s.outcome %}, outcome: "
        "{{ s.outcome }}{% endif %}{% if s.reason %}, reason: {{ s.reason }}{% endif %}"
        "{% if s.reply %}, reply: {{ s.reply }}{% endif %}.",
    ),
    ("raw", "{%p endfor %}"),
    (
        "body",
        "The results will be posted on the website's open-day column by {{ website_due }} "
        "(within {{ website_days }} working days of the event).",
    ),
    ("raw", "{%p if calendar_note %}"),
    ("body", "({{ calendar_note }})"),
    ("raw", "{%p endif %}"),
    ("photos", "6. Photos"),
    ("body", "Respectfully submitted."),
    ("signature", ""),
]

TABLE_HEADER = {
    "zh": ["类别", "邀请", "到场", "到场未入场", "未到", "放弃"],
    "en": ["Category", "Invited", "Came", "Came, not let in", "Did not come", "Gave up"],
}
TOTAL = {"zh": "合计", "en": "Total"}
PHOTO_CAPTION = {"zh": "图{{ p.number }}　{{ p.caption }}", "en": "Figure {{ p.number }}. {{ p.caption }}"}
TABLE_CAPTION = {"zh": "表1　参加人员分类情况", "en": "Table 1. Guests by category"}
CHART_CAPTION = {"zh": "图1　满意度测评各项满意率", "en": "Figure 1. Satisfaction by item"}


def build(path: Path, lang: str = "zh") -> Path:
    """Write the template for `lang` to `path`."""
    document = od.new_document()
    for kind, text in ZH if lang == "zh" else EN:
        if kind == "title":
            od.add_title(document, text)
        elif kind == "addressee" and lang == "zh":
            od.add_addressee(document, text)
        elif kind == "addressee":
            document.add_paragraph(text + ":", style=od.STYLE_ADDRESSEE)
        elif kind == "h1":
            od.add_heading1(document, text)
        elif kind == "body":
            od.add_body(document, text)
        elif kind == "raw":
            document.add_paragraph(text, style=od.STYLE_NOTE)
        elif kind == "table":
            title = document.add_paragraph(TABLE_CAPTION[lang], style=od.STYLE_CAPTION)
            title.paragraph_format.keep_with_next = True  # the table's title stays with it
            title.paragraph_format.space_after = 0
            header = TABLE_HEADER[lang]
            table = od.add_table(
                document,
                header,
                [
                    ["{%tr for c in categories %}", "", "", "", "", ""],
                    ["{{ c.label }}", "{{ c.invited }}", "{{ c.arrived }}", "{{ c.turned_away }}",
                     "{{ c.no_show }}", "{{ c.declined }}"],
                    ["{%tr endfor %}", "", "", "", "", ""],
                    [TOTAL[lang], "{{ total.invited }}", "{{ total.arrived }}", "{{ total.turned_away }}",
                     "{{ total.no_show }}", "{{ total.declined }}"],
                ],
            )  # fmt: skip
            del table
        elif kind == "chart":
            document.add_paragraph("{%p if chart %}", style=od.STYLE_NOTE)
            document.add_paragraph("{{ chart }}", style=od.STYLE_FIGURE)
            document.add_paragraph(CHART_CAPTION[lang], style=od.STYLE_CAPTION)
            document.add_paragraph("{%p endif %}", style=od.STYLE_NOTE)
        elif kind == "photos":
            document.add_paragraph("{%p if photos %}", style=od.STYLE_NOTE)
            od.add_heading1(document, text)
            document.add_paragraph("{%p for p in photos %}", style=od.STYLE_NOTE)
            document.add_paragraph("{{ p.image }}", style=od.STYLE_FIGURE)
            document.add_paragraph(PHOTO_CAPTION[lang], style=od.STYLE_CAPTION)
            document.add_paragraph("{%p endfor %}", style=od.STYLE_NOTE)
            document.add_paragraph("{%p endif %}", style=od.STYLE_NOTE)
        elif kind == "signature":
            for _ in range(od.SIGNATURE_BLANK_LINES):
                document.add_paragraph("", style=od.STYLE_ADDRESSEE)
            document.add_paragraph("{{ unit }}", style=od.STYLE_SIGNATURE)
            document.add_paragraph("{{ report_date }}", style=od.STYLE_DATE)
    document.core_properties.title = "政府开放日活动开展情况" if lang == "zh" else "Open day report"
    document.core_properties.author = ""
    document.core_properties.comments = ""
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def shipped_paths() -> dict[str, Path]:
    folder = data_dir() / "templates"
    return {"zh": folder / "report.docx", "en": folder / "report.en.docx"}


def main() -> int:
    for lang, path in shipped_paths().items():
        build(path, lang)
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
