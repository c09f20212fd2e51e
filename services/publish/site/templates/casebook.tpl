{{%AUTOESCAPE context="HTML"}}
{{!-- The printable casebook of an edition: a title page, then each case on pages of its own.
      Printed to PDF by headless Chromium; the stylesheet beside it sets the pages and fonts. }}
<!DOCTYPE html>
<html lang="{{LANG}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self'">
<title>{{TITLE}}</title>
<link rel="stylesheet" href="casebook.css">
</head>
<body>
<section class="cover" dir="{{DIR}}">
<h1>{{TITLE}}</h1>
{{#DESCRIPTION}}
<p>{{VALUE}}</p>
{{/DESCRIPTION}}
<p class="meta">{{CASES_COUNT}} · {{PUBLISHED_AT}}</p>
</section>
{{#CASES}}
<article class="case" lang="{{LANGUAGE}}" dir="{{DIR}}">
<p class="reference">{{REFERENCE}} · {{COUNTRY}}</p>
<h2>{{TITLE}}</h2>
<p class="credit">{{CREDIT}}</p>
{{#SECTIONS}}
<h3>{{HEADING}}</h3>
{{#PARAGRAPHS}}
<p>{{VALUE}}</p>
{{/PARAGRAPHS}}
{{/SECTIONS}}
<p class="meta">{{URL}}</p>
</article>
{{/CASES}}
</body>
</html>
