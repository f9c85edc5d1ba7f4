// lti-post.js - sends the LTI deep linking response on to the learning platform: the page's one
// form is submitted as soon as it is read (its button does it without JavaScript).
document.getElementById("lti-post").submit();
