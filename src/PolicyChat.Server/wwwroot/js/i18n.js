// Interface strings of the chat page, in English and Arabic. Text from documents and the model never goes through here.
(function () {
  'use strict';

  const strings = {
    en: {
      appTitle: 'PolicyChat',
      skipToQuestion: 'Skip to the question box',
      newConversation: 'New conversation',
      switchLanguage: 'العربية',
      switchLanguageLabel: 'التبديل إلى العربية',
      conversation: 'Conversation',
      intro: 'Ask a question about the technology-policy documents. Answers cite their sources; select a number such as [1] to read the passage.',
      questionLabel: 'Your question',
      questionPlaceholder: 'Ask about tech policy…',
      questionHint: 'Press Enter to send, Shift+Enter for a new line.',
      send: 'Send',
      stop: 'Stop',
      settings: 'Settings',
      apiKeyLabel: 'API key (only if the server requires one)',
      saveKey: 'Save key',
      keySaved: 'API key saved.',
      keyCleared: 'API key removed.',
      sourcesTitle: 'Source',
      close: 'Close',
      you: 'You',
      assistant: 'PolicyChat',
      thinking: 'Searching the documents…',
      writing: 'Writing the answer…',
      answerReady: 'Answer ready.',
      stopped: 'Stopped.',
      stoppedNote: 'The answer was stopped.',
      copy: 'Copy answer',
      copied: 'Answer copied.',
      copyFailed: 'Could not copy the answer.',
      sourcesList: 'Sources',
      openSource: 'Open source {n}',
      citationLabel: 'Source {n}',
      unsupportedTitle: 'Statements without a supporting quote:',
      noticeExtractive: 'The language model is unavailable, so this answer quotes the documents directly.',
      noticeAbstained: 'Nothing relevant was found in the documents.',
      noticePartial: 'Partial answer: the documents do not answer this directly; the closest passages are listed as sources.',
      quoteLabel: 'Quoted passage',
      passageLabel: 'Passage',
      outlet: 'Outlet',
      date: 'Date',
      language: 'Language',
      documentId: 'Document',
      showDocument: 'Show the whole document',
      loadingDocument: 'Loading the document…',
      documentFailed: 'The document could not be loaded.',
      noPassage: 'This source is not available.',
      connectionFailed: 'Could not reach the server. Check your connection and try again.',
      unauthorized: 'The server needs an API key. Enter it under Settings.',
      genericError: 'Something went wrong. Please try again.',
      emptyQuestion: 'Type a question first.',
      reconnecting: 'Connection lost; reconnecting…',
      reconnected: 'Connected again.',
      newConversationStarted: 'New conversation started.',
      languageNames: { ar: 'Arabic', en: 'English', zh: 'Chinese' },
    },
    ar: {
      appTitle: 'PolicyChat',
      skipToQuestion: 'انتقل إلى مربع السؤال',
      newConversation: 'محادثة جديدة',
      switchLanguage: 'English',
      switchLanguageLabel: 'Switch to English',
      conversation: 'المحادثة',
      intro: 'اطرح سؤالًا عن وثائق سياسات التكنولوجيا. تستشهد الإجابات بمصادرها؛ اختر رقمًا مثل [1] لقراءة المقطع.',
      questionLabel: 'سؤالك',
      questionPlaceholder: 'اسأل عن سياسات التكنولوجيا…',
      questionHint: 'اضغط Enter للإرسال، وShift+Enter لسطر جديد.',
      send: 'إرسال',
      stop: 'إيقاف',
      settings: 'الإعدادات',
      apiKeyLabel: 'مفتاح API (فقط إذا طلبه الخادم)',
      saveKey: 'حفظ المفتاح',
      keySaved: 'حُفظ مفتاح API.',
      keyCleared: 'حُذف مفتاح API.',
      sourcesTitle: 'المصدر',
      close: 'إغلاق',
      you: 'أنت',
      assistant: 'PolicyChat',
      thinking: 'جارٍ البحث في الوثائق…',
      writing: 'جارٍ كتابة الإجابة…',
      answerReady: 'الإجابة جاهزة.',
      stopped: 'توقفت الإجابة.',
      stoppedNote: 'أُوقفت الإجابة.',
      copy: 'نسخ الإجابة',
      copied: 'نُسخت الإجابة.',
      copyFailed: 'تعذّر نسخ الإجابة.',
      sourcesList: 'المصادر',
      openSource: 'افتح المصدر {n}',
      citationLabel: 'المصدر {n}',
      unsupportedTitle: 'عبارات بلا اقتباس داعم:',
      noticeExtractive: 'النموذج اللغوي غير متاح، لذا تقتبس هذه الإجابة من الوثائق مباشرة.',
      noticeAbstained: 'لم يُعثر على شيء ذي صلة في الوثائق.',
      noticePartial: 'إجابة جزئية: لا تجيب الوثائق عن هذا مباشرة؛ أقرب المقاطع معروضة في المصادر.',
      quoteLabel: 'المقطع المقتبس',
      passageLabel: 'المقطع',
      outlet: 'الجهة الناشرة',
      date: 'التاريخ',
      language: 'اللغة',
      documentId: 'الوثيقة',
      showDocument: 'اعرض الوثيقة كاملة',
      loadingDocument: 'جارٍ تحميل الوثيقة…',
      documentFailed: 'تعذّر تحميل الوثيقة.',
      noPassage: 'هذا المصدر غير متاح.',
      connectionFailed: 'تعذّر الوصول إلى الخادم. تحقّق من الاتصال وحاول مرة أخرى.',
      unauthorized: 'يحتاج الخادم إلى مفتاح API. أدخله في الإعدادات.',
      genericError: 'حدث خطأ ما. يُرجى المحاولة مرة أخرى.',
      emptyQuestion: 'اكتب سؤالًا أولًا.',
      reconnecting: 'انقطع الاتصال؛ جارٍ إعادة الاتصال…',
      reconnected: 'عاد الاتصال.',
      newConversationStarted: 'بدأت محادثة جديدة.',
      languageNames: { ar: 'العربية', en: 'الإنجليزية', zh: 'الصينية' },
    },
  };

  function pickDefault(stored, browserLanguages) {
    if (stored === 'ar' || stored === 'en') {
      return stored;
    }
    for (const tag of browserLanguages || []) {
      const primary = String(tag).toLowerCase().split('-')[0];
      if (primary === 'ar') {
        return 'ar';
      }
      if (primary === 'en') {
        return 'en';
      }
    }
    return 'en';
  }

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (match, key) => (values && key in values ? String(values[key]) : match));
  }

  window.PolicyChatI18n = Object.freeze({ strings, pickDefault, format });
})();
