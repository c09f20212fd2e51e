{{%AUTOESCAPE context="HTML"}}
{{!-- The document around every page: head, header with navigation and language switcher, footer. }}
{{!-- The page itself is included as PAGE_CONTENT; render.hpp says how the view model maps. }}
<!DOCTYPE html>
<html lang="{{LANG}}" dir="{{DIR}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<meta name="description" content="{{DESCRIPTION}}">
<link rel="stylesheet" href="{{STYLESHEET_URL}}">
<link rel="canonical" href="{{CANONICAL_URL}}">
{{#ALTERNATES}}
<link rel="alternate" hreflang="{{HREFLANG}}" href="{{HREF}}">
{{/ALTERNATES}}
{{#FEED_URL}}
<link rel="alternate" type="application/atom+xml" href="{{FEED_URL}}" title="{{LABELS_FEED}}">
{{/FEED_URL}}
<meta property="og:site_name" content="{{SITE_NAME}}">
<meta property="og:title" content="{{OG_TITLE}}">
<meta property="og:description" content="{{OG_DESCRIPTION}}">
<meta property="og:type" content="{{OG_TYPE}}">
<meta property="og:url" content="{{OG_URL:url_escape_with_arg=html}}">
{{#OG_IMAGE}}
<meta property="og:image" content="{{OG_IMAGE:url_escape_with_arg=html}}">
{{/OG_IMAGE}}
{{#JSON_LD}}
<script type="application/ld+json">{{JSON_LD:none}}</script>
{{/JSON_LD}}
</head>
<body class="page-{{PAGE_NAME}}">
<a class="skip" href="#main">{{LABELS_SKIP_TO_CONTENT}}</a>
<header class="site">
<div class="wrap">
<a class="site-name" href="{{HOME_URL}}">{{SITE_NAME}}</a>
<nav aria-label="{{LABELS_MAIN_NAVIGATION}}">
<ul>
<li><a href="{{EDITIONS_URL}}">{{LABELS_EDITIONS}}</a></li>
<li><a href="{{SEARCH_URL}}">{{LABELS_SEARCH}}</a></li>
</ul>
</nav>
{{#HAS_LANGUAGES}}
<nav class="languages" aria-label="{{LABELS_LANGUAGES}}">
<ul>
{{#LANGUAGES}}
{{#CURRENT}}
<li><a href="{{HREF}}" hreflang="{{LANG}}" lang="{{LANG}}" aria-current="page">{{NAME}}</a></li>
{{/CURRENT}}
{{#NOT_CURRENT}}
<li><a href="{{HREF}}" hreflang="{{LANG}}" lang="{{LANG}}">{{NAME}}</a></li>
{{/NOT_CURRENT}}
{{/LANGUAGES}}
</ul>
</nav>
{{/HAS_LANGUAGES}}
</div>
</header>
<main id="main" class="wrap">
{{>PAGE_CONTENT}}
</main>
<footer class="site">
<div class="wrap">
<p><a href="{{HOME_URL}}">{{SITE_NAME}}</a> · <a href="{{EDITIONS_URL}}">{{LABELS_ALL_EDITIONS}}</a></p>
</div>
</footer>
</body>
</html>
