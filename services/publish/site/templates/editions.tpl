{{%AUTOESCAPE context="HTML"}}
{{!-- Every edition, newest first as the service orders them. }}
<h1>{{TITLE}}</h1>
{{#DESCRIPTION}}
<p class="lead">{{DESCRIPTION}}</p>
{{/DESCRIPTION}}
<ul class="list">
{{#EDITIONS}}
<li><a href="{{URL}}">{{TITLE}}</a>
<p class="meta"><span>{{LABELS_YEAR}}: {{YEAR}}</span> <span>{{LABELS_CASES}}: {{CASES}}</span> <span>{{LABELS_PUBLISHED}} <time datetime="{{PUBLISHED_AT}}">{{PUBLISHED_AT}}</time></span></p></li>
{{/EDITIONS}}
</ul>
