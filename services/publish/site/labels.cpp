#include "publish/site/labels.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace casecall::publish::site {

namespace {

constexpr std::array<std::string_view, 6> languages{"en", "fr", "es", "zh", "ar", "ru"};
constexpr std::array<std::string_view, 6> language_names{"English", "Français", "Español", "中文", "العربية", "Русский"};

// One interface string in each language, in the order of `languages`. A row per string keeps a
// missing translation from compiling.
struct label_row {
  std::string_view key;
  std::array<std::string_view, languages.size()> text;
};

// French uses a no-break space before ";" (written as U+00A0 below).
constexpr label_row rows[] = {
    {"site_name",
     {"Best Poverty Reduction Practices", "Meilleures pratiques de réduction de la pauvreté",
      "Mejores prácticas de reducción de la pobreza", "最佳减贫案例", "أفضل ممارسات الحد من الفقر",
      "Лучшие практики сокращения бедности"}},
    {"site_description",
     {"Ways out of poverty that worked, told by the organisations that led them and chosen by international judges.",
      "Des moyens de sortir de la pauvreté qui ont fait leurs preuves, racontés par les organisations qui les ont menés et "
      "choisis par un jury international.",
      "Caminos para salir de la pobreza que dieron resultado, contados por las organizaciones que los impulsaron y "
      "elegidos por un jurado internacional.",
      "行之有效的减贫实践，由实施机构亲自讲述，经国际评审专家遴选。",
      "طرق ناجحة للخروج من الفقر، ترويها المنظمات التي قادتها ويختارها محكّمون دوليون.",
      "Проверенные на практике пути выхода из бедности — в изложении организаций, которые их осуществили, и в отборе "
      "международного жюри."}},
    {"skip_to_content", {"Skip to content", "Aller au contenu", "Ir al contenido", "跳至正文", "انتقل إلى المحتوى", "Перейти к содержанию"}},
    {"main_navigation", {"Main navigation", "Navigation principale", "Navegación principal", "主导航", "التنقل الرئيسي", "Основная навигация"}},
    {"home", {"Home", "Accueil", "Inicio", "首页", "الصفحة الرئيسية", "Главная"}},
    {"search", {"Search", "Rechercher", "Buscar", "搜索", "بحث", "Поиск"}},
    {"search_cases", {"Search the cases", "Rechercher dans les cas", "Buscar en los casos", "搜索案例", "ابحث في الحالات", "Поиск по практикам"}},
    {"editions", {"Editions", "Éditions", "Ediciones", "历届案例集", "الإصدارات", "Выпуски"}},
    {"edition", {"Edition", "Édition", "Edición", "届次", "الإصدار", "Выпуск"}},
    {"all_editions", {"All editions", "Toutes les éditions", "Todas las ediciones", "全部案例集", "جميع الإصدارات", "Все выпуски"}},
    {"latest_cases", {"Latest cases", "Cas récents", "Casos recientes", "最新案例", "أحدث الحالات", "Новые практики"}},
    {"cases", {"Cases", "Cas", "Casos", "案例", "الحالات", "Практики"}},
    {"year", {"Year", "Année", "Año", "年份", "السنة", "Год"}},
    {"published", {"Published", "Publié le", "Publicado el", "发布日期", "تاريخ النشر", "Опубликовано"}},
    {"version", {"Version", "Version", "Versión", "版本", "النسخة", "Версия"}},
    {"reference", {"Reference", "Référence", "Referencia", "编号", "الرقم المرجعي", "Номер"}},
    {"authors", {"Authors", "Auteurs", "Autores", "作者", "المؤلفون", "Авторы"}},
    {"organisation", {"Organisation", "Organisation", "Organización", "机构", "المنظمة", "Организация"}},
    {"country", {"Country", "Pays", "País", "国家", "البلد", "Страна"}},
    {"region", {"Region", "Région", "Región", "地区", "المنطقة", "Регион"}},
    {"theme", {"Theme", "Thème", "Tema", "主题", "الموضوع", "Тема"}},
    {"themes", {"Themes", "Thèmes", "Temas", "主题", "المواضيع", "Темы"}},
    {"organisation_type", {"Organisation type", "Type d’organisation", "Tipo de organización", "机构类型", "نوع المنظمة", "Тип организации"}},
    {"language", {"Language", "Langue", "Idioma", "语言", "اللغة", "Язык"}},
    {"languages", {"Languages", "Langues", "Idiomas", "语言", "اللغات", "Языки"}},
    {"download", {"Download", "Télécharger", "Descargar", "下载", "تنزيل", "Скачать"}},
    {"downloads", {"Downloads", "Téléchargements", "Descargas", "下载", "التنزيلات", "Файлы для скачивания"}},
    {"photos", {"Photos", "Photos", "Fotos", "照片", "الصور", "Фотографии"}},
    {"translations", {"Translations", "Traductions", "Traducciones", "其他语言版本", "الترجمات", "Переводы"}},
    {"translated_by_author",
     {"Translated by the author", "Traduit par l’auteur", "Traducido por el autor", "由作者翻译", "ترجمة المؤلف", "Перевод автора"}},
    {"translated_by_organisers",
     {"Translated by the organisers", "Traduit par les organisateurs", "Traducido por los organizadores",
      "由主办方翻译", "ترجمة الجهة المنظِّمة", "Перевод организаторов"}},
    {"translated_by_machine",
     {"Machine translation", "Traduction automatique", "Traducción automática", "机器翻译", "ترجمة آلية", "Машинный перевод"}},
    {"earlier_version",
     {"This is an earlier version; the current version is here",
      "Ceci est une version antérieure\u00A0; la version actuelle est ici",
      "Esta es una versión anterior; la versión actual está aquí", "这是早期版本；当前版本请点此查看",
      "هذه نسخة سابقة؛ النسخة الحالية هنا", "Это более ранняя версия; текущая версия здесь"}},
    {"cite_this_case", {"Cite this case", "Citer ce cas", "Citar este caso", "引用本案例", "الاستشهاد بهذه الحالة", "Как цитировать эту практику"}},
    {"feed",
     {"Follow updates (Atom feed)", "S’abonner aux mises à jour (flux Atom)",
      "Suscribirse a las novedades (canal Atom)", "订阅更新（Atom 源）", "تابع التحديثات (موجز Atom)", "Следить за обновлениями (лента Atom)"}},
    {"results", {"Results", "Résultats", "Resultados", "搜索结果", "النتائج", "Результаты"}},
    {"no_results", {"No results", "Aucun résultat", "Sin resultados", "未找到结果", "لا توجد نتائج", "Ничего не найдено"}},
    {"no_results_hint",
     {"Try fewer or different words, or remove a filter.",
      "Essayez avec moins de mots ou d’autres mots, ou retirez un filtre.",
      "Pruebe con menos palabras o con otras distintas, o quite un filtro.",
      "请尝试减少或更换关键词，或移除筛选条件。", "جرّب كلمات أقل أو مختلفة، أو أزل أحد عوامل التصفية.", "Попробуйте меньше слов или другие слова либо уберите фильтр."}},
    {"refine", {"Filter results", "Filtrer les résultats", "Filtrar resultados", "筛选结果", "تصفية النتائج", "Уточнить результаты"}},
    {"remove_filter",
     {"Remove this filter", "Retirer ce filtre", "Quitar este filtro", "移除此筛选条件", "إزالة عامل التصفية هذا", "Убрать этот фильтр"}},
    {"pages", {"Result pages", "Pages de résultats", "Páginas de resultados", "结果分页", "صفحات النتائج", "Страницы результатов"}},
    {"page_not_found",
     {"Page not found", "Page introuvable", "Página no encontrada", "页面未找到", "الصفحة غير موجودة", "Страница не найдена"}},
    {"page_not_found_text",
     {"The page you asked for does not exist or has moved.", "La page demandée n’existe pas ou a été déplacée.",
      "La página solicitada no existe o ha cambiado de dirección.", "您要访问的页面不存在或已移动。",
      "الصفحة التي طلبتها غير موجودة أو نُقلت.", "Запрошенная страница не существует или была перемещена."}},
    {"kind_government", {"Government", "Administration publique", "Gobierno", "政府机构", "جهة حكومية", "Государственный орган"}},
    {"kind_ngo", {"NGO", "ONG", "ONG", "非政府组织", "منظمة غير حكومية", "НКО"}},
    {"kind_international_organisation",
     {"International organisation", "Organisation internationale", "Organización internacional", "国际组织", "منظمة دولية",
      "Международная организация"}},
    {"kind_company", {"Company", "Entreprise", "Empresa", "企业", "شركة", "Компания"}},
    {"kind_university", {"University", "Université", "Universidad", "大学", "جامعة", "Университет"}},
    {"kind_research_institute",
     {"Research institute", "Institut de recherche", "Instituto de investigación", "研究机构", "معهد بحثي",
      "Научно-исследовательский институт"}},
    {"kind_individual", {"Individual", "Particulier", "Particular", "个人", "فرد", "Частное лицо"}},
    {"region_asia_pacific",
     {"Asia and the Pacific", "Asie et Pacifique", "Asia y el Pacífico", "亚洲及太平洋", "آسيا والمحيط الهادئ", "Азия и Тихий океан"}},
    {"region_africa", {"Africa", "Afrique", "África", "非洲", "أفريقيا", "Африка"}},
    {"region_latin_america",
     {"Latin America and the Caribbean", "Amérique latine et Caraïbes", "América Latina y el Caribe", "拉丁美洲和加勒比",
      "أمريكا اللاتينية والبحر الكاريبي", "Латинская Америка и Карибский бассейн"}},
    {"region_arab_states", {"Arab States", "États arabes", "Estados Árabes", "阿拉伯国家", "الدول العربية", "Арабские государства"}},
    {"region_europe_central_asia",
     {"Europe and Central Asia", "Europe et Asie centrale", "Europa y Asia Central", "欧洲和中亚", "أوروبا وآسيا الوسطى",
      "Европа и Центральная Азия"}},
};

constexpr auto keys = [] {
  std::array<std::string_view, std::size(rows)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = rows[i].key;
  return out;
}();

// The primary language subtag, lower-cased: "zh-Hans-CN" → "zh".
std::string primary_subtag(std::string_view tag) {
  std::string primary;
  for (const char c : tag.substr(0, tag.find_first_of("-_"))) {
    primary += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return primary;
}

std::size_t language_index(std::string_view tag) {
  const auto primary = primary_subtag(tag);
  const auto* found = std::find(languages.begin(), languages.end(), primary);
  return found == languages.end() ? 0 : static_cast<std::size_t>(found - languages.begin());
}

}  // namespace

std::span<const std::string_view> ui_languages() { return languages; }

std::string_view ui_language(std::string_view tag) { return languages[language_index(tag)]; }

std::string_view reader_language(std::optional<std::string_view> asked, std::string_view accept_language) {
  if (asked) return ui_language(*asked);
  std::size_t at = 0;
  while (at < accept_language.size()) {
    const auto end = accept_language.find(',', at);
    auto tag = accept_language.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    tag = tag.substr(0, tag.find(';'));
    const auto first = tag.find_first_not_of(' ');
    tag = first == std::string_view::npos ? std::string_view() : tag.substr(first, tag.find_last_not_of(' ') - first + 1);
    const auto primary = primary_subtag(tag);
    for (const auto& l : languages) {
      if (l == primary) return l;
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return "en";
}

std::string_view direction(std::string_view tag) {
  static constexpr std::array<std::string_view, 12> right_to_left{"ar", "arc", "ckb", "dv", "fa", "he",
                                                                   "ps", "sd", "syr", "ug", "ur", "yi"};
  const auto primary = primary_subtag(tag);
  return std::find(right_to_left.begin(), right_to_left.end(), primary) != right_to_left.end() ? "rtl" : "ltr";
}

std::string_view language_name(std::string_view tag) {
  const auto primary = primary_subtag(tag);
  const auto* found = std::find(languages.begin(), languages.end(), primary);
  return found == languages.end() ? tag : language_names[static_cast<std::size_t>(found - languages.begin())];
}

nlohmann::json labels(std::string_view tag) {
  const auto index = language_index(tag);
  auto out = nlohmann::json::object();
  for (const auto& row : rows) out[std::string(row.key)] = std::string(row.text[index]);
  return out;
}

std::optional<std::string_view> find_label(std::string_view key, std::string_view tag) {
  const auto* found = std::find_if(std::begin(rows), std::end(rows), [&](const label_row& row) { return row.key == key; });
  if (found == std::end(rows)) return std::nullopt;
  return found->text[language_index(tag)];
}

std::string_view label(std::string_view key, std::string_view tag) {
  const auto* found = std::find_if(std::begin(rows), std::end(rows), [&](const label_row& row) { return row.key == key; });
  if (found == std::end(rows)) throw std::out_of_range("no site label " + std::string(key));
  return found->text[language_index(tag)];
}

std::span<const std::string_view> label_keys() { return keys; }

}  // namespace casecall::publish::site
